package dev.sluice.disconnect.tomcat;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.locks.Lock;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * The non-public Tomcat members the detector needs, found once by reflection.
 *
 * <p>Also by reflection: {@code SocketWrapperBase.getLock()}, which returns {@code Lock} in 10.1
 * and {@code ReentrantLock} in 11; a call compiled against either would not link on the other.
 */
final class Internals {
  /** Whether every member was found; when not, {@link #PROBLEM} says which one is missing. */
  static final boolean AVAILABLE;
  static final String PROBLEM;

  private static final Field FACADE_REQUEST; // RequestFacade.request (protected)
  private static final Field HOOK; // org.apache.coyote.Request.hook (private): the processor
  private static final Field SOCKET_WRAPPER; // AbstractProcessor.socketWrapper (protected)
  private static final Method GET_LOCK; // SocketWrapperBase.getLock()
  private static final Method GET_ENDPOINT; // SocketWrapperBase.getEndpoint() (protected)

  static {
    Field facade = null;
    Field hook = null;
    Field wrapper = null;
    Method lock = null;
    Method endpoint = null;
    String problem = null;
    try {
      facade = accessible(RequestFacade.class.getDeclaredField("request"));
      hook = accessible(org.apache.coyote.Request.class.getDeclaredField("hook"));
      wrapper = accessible(AbstractProcessor.class.getDeclaredField("socketWrapper"));
      lock = SocketWrapperBase.class.getMethod("getLock");
      endpoint = SocketWrapperBase.class.getDeclaredMethod("getEndpoint");
      endpoint.setAccessible(true);
      if (!Lock.class.isAssignableFrom(lock.getReturnType())) {
        problem = "SocketWrapperBase.getLock() returns " + lock.getReturnType();
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      problem = e.toString();
    }
    FACADE_REQUEST = facade;
    HOOK = hook;
    SOCKET_WRAPPER = wrapper;
    GET_LOCK = lock;
    GET_ENDPOINT = endpoint;
    PROBLEM = problem;
    AVAILABLE = problem == null;
  }

  private Internals() {}

  private static Field accessible(Field f) {
    f.setAccessible(true);
    return f;
  }

  /**
   * The socket wrapper of the HTTP/1.1 connection {@code request} arrived on, or null when it
   * did not come through an {@code Http11Processor} (HTTP/2, an unknown request type).
   */
  static SocketWrapperBase<?> http11Socket(ServletRequest request) {
    if (!AVAILABLE) {
      return null;
    }
    ServletRequest r = request;
    while (r instanceof ServletRequestWrapper w) {
      r = w.getRequest();
    }
    if (!(r instanceof RequestFacade)) {
      return null;
    }
    try {
      org.apache.catalina.connector.Request connector =
          (org.apache.catalina.connector.Request) FACADE_REQUEST.get(r);
      Object processor = connector == null ? null : HOOK.get(connector.getCoyoteRequest());
      if (!(processor instanceof Http11Processor)) {
        return null;
      }
      return (SocketWrapperBase<?>) SOCKET_WRAPPER.get(processor);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  static Lock lock(SocketWrapperBase<?> socket) {
    try {
      return (Lock) GET_LOCK.invoke(socket);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The connector's executor, whose threads are container threads. */
  static java.util.concurrent.Executor executor(SocketWrapperBase<?> socket) {
    return endpoint(socket).getExecutor();
  }

  private static AbstractEndpoint<?, ?> endpoint(SocketWrapperBase<?> socket) {
    try {
      return (AbstractEndpoint<?, ?>) GET_ENDPOINT.invoke(socket);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reports the connection as failed, as Tomcat's own poller does for a socket in error, on the
   * calling container thread: the
   * error reaches {@code ReadListener}/{@code WriteListener.onError} and {@code
   * AsyncListener.onError} on a container thread, and Tomcat closes the socket.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void fail(SocketWrapperBase<?> socket, IOException cause) {
    socket.setError(cause);
    AbstractEndpoint endpoint = endpoint(socket);
    endpoint.processSocket(socket, SocketEvent.ERROR, false);
  }
}
