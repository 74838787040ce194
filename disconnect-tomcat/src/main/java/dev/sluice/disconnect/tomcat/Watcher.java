package dev.sluice.disconnect.tomcat;

import dev.sluice.client.DisconnectDetector.Watch;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.apache.tomcat.util.net.NioEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector and one daemon thread per JVM, watching the sockets of armed requests for
 * {@code OP_READ}; Tomcat's poller has no read interest on them while the request is async.
 *
 * <p>A socket channel may be registered with several selectors: the watcher's registration adds
 * a key to its own selector only. When a socket turns readable, the watcher clears the interest,
 * takes the wrapper's lock with {@code tryLock} (a container thread holding it is busy with the
 * socket: try again a millisecond later) and reads one byte without blocking through the
 * wrapper ({@code read(false, buffer)}): end of stream ({@link EOFException}) means the client is
 * gone, nothing means wait again, and a byte is the start of a pipelined request, handed back
 * with {@code unRead}, so Tomcat parses it after this response; the watch then stops.
 *
 * <p>Not {@code isReadyForRead()}, which the issue proposed: on Tomcat 10.1.62 it returns true
 * for a socket with nothing to read (measured: the read buffer stays empty), which would end
 * every watch at once; {@code read} plus {@code unRead} means the same on 10.1 and 11.
 *
 * <p>A disarmed watch's key must be cancelled and the selector woken: a closed channel keeps its
 * descriptor open until every selector it is registered with has dropped the key.
 *
 * <p>The thread exits when nothing has been watched for {@link #LINGER_MS} (so that an undeployed
 * web app leaves no thread behind) and starts again with the next watch.
 */
final class Watcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
  static final long LINGER_MS = 2_000;
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static Watcher running; // guarded by Watcher.class

  private final Selector selector;
  private final Queue<SocketWatch> changes = new ConcurrentLinkedQueue<>();
  private final Queue<SocketWatch> retries = new ArrayDeque<>(); // selector thread only
  private boolean stopping; // guarded by Watcher.class

  private Watcher(Selector selector) {
    this.selector = selector;
  }

  /** Arms a watch on {@code socket}, starting the watcher thread when none runs. */
  static Watch watch(NioEndpoint.NioSocketWrapper socket, Runnable onGone) {
    SocketChannel channel = socket.getSocket().getIOChannel();
    SocketWatch w = new SocketWatch(socket, channel, onGone);
    synchronized (Watcher.class) {
      if (running == null || running.stopping) {
        running = start();
      }
      w.watcher = running;
      running.changes.add(w);
    }
    w.watcher.selector.wakeup();
    return w;
  }

  private static Watcher start() {
    try {
      Watcher watcher = new Watcher(Selector.open());
      Thread t = new Thread(watcher, "sluice-disconnect-watcher");
      t.setDaemon(true);
      t.setContextClassLoader(null); // pins no web app's loader
      t.start();
      return watcher;
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector", e);
    }
  }

  /** Called by {@link SocketWatch#disarm()}: its key is cancelled on the selector thread. */
  void changed(SocketWatch w) {
    changes.add(w);
    selector.wakeup();
  }

  @Override
  public void run() {
    long idleSince = System.nanoTime();
    try {
      while (true) {
        applyChanges();
        long wait = retries.isEmpty() ? LINGER_MS : 1;
        selector.select(wait);
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          readable(key);
        }
        retryBusy();
        if (!selector.keys().isEmpty() || !retries.isEmpty() || !changes.isEmpty()) {
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince >= TimeUnit.MILLISECONDS.toNanos(LINGER_MS)
            && stopIfIdle()) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Disconnect watcher failed; clients that leave are seen at the next write", e);
      synchronized (Watcher.class) {
        stopping = true;
        if (running == this) {
          running = null;
        }
      }
      for (SelectionKey k : selector.keys()) {
        ((SocketWatch) k.attachment()).drop();
      }
    } finally {
      try {
        selector.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  private boolean stopIfIdle() throws IOException {
    synchronized (Watcher.class) {
      if (!changes.isEmpty()) {
        return false;
      }
      selector.selectNow(); // drops keys cancelled since the last select
      if (!selector.keys().isEmpty()) {
        return false;
      }
      stopping = true;
      if (running == this) {
        running = null;
      }
      return true;
    }
  }

  private void applyChanges() {
    for (SocketWatch w = changes.poll(); w != null; w = changes.poll()) {
      if (!w.isActive()) {
        if (w.key != null) {
          w.key.cancel();
        }
      } else if (w.key == null) {
        try {
          w.key = w.channel.register(selector, SelectionKey.OP_READ, w);
        } catch (ClosedChannelException | CancelledKeyException e) {
          w.lost(new EOFException("connection closed"));
        }
      }
    }
  }

  private void readable(SelectionKey key) {
    SocketWatch w = (SocketWatch) key.attachment();
    try {
      key.interestOps(0);
    } catch (CancelledKeyException e) {
      return; // disarmed meanwhile
    }
    switch (w.check()) {
      case AGAIN -> rearm(w);
      case BUSY -> {
        w.retryAt = System.nanoTime() + RETRY_NANOS;
        retries.add(w);
      }
      case DONE -> key.cancel();
    }
  }

  private void retryBusy() {
    long now = System.nanoTime();
    for (int n = retries.size(); n > 0; n--) {
      SocketWatch w = retries.poll();
      if (now - w.retryAt >= 0) {
        rearm(w);
      } else {
        retries.add(w);
      }
    }
  }

  private static void rearm(SocketWatch w) {
    try {
      if (w.isActive()) {
        w.key.interestOps(SelectionKey.OP_READ);
      }
    } catch (CancelledKeyException e) {
      // disarmed meanwhile
    }
  }

  enum Result { AGAIN, BUSY, DONE }

  /** One armed request's socket. */
  static final class SocketWatch implements Watch {
    private final NioEndpoint.NioSocketWrapper socket;
    final SocketChannel channel;
    private final Runnable onGone;
    Watcher watcher;
    SelectionKey key; // selector thread only
    long retryAt; // selector thread only
    private boolean active = true; // guarded by this

    SocketWatch(NioEndpoint.NioSocketWrapper socket, SocketChannel channel, Runnable onGone) {
      this.socket = socket;
      this.channel = channel;
      this.onGone = onGone;
    }

    synchronized boolean isActive() {
      return active;
    }

    /** Selector thread: reads what the socket has into Tomcat's buffer. */
    Result check() {
      if (!isActive()) {
        return Result.DONE;
      }
      Lock lock = Internals.lock(socket);
      if (!lock.tryLock()) {
        return Result.BUSY;
      }
      IOException gone = null;
      try {
        synchronized (this) {
          if (!active) {
            return Result.DONE;
          }
          try {
            ByteBuffer one = ByteBuffer.allocate(1);
            int n = socket.read(false, one);
            if (n < 0) {
              throw new EOFException("client closed the connection");
            }
            if (n == 0) {
              return Result.AGAIN;
            }
            one.flip();
            socket.unRead(one); // a pipelined request: Tomcat reads it first, after this response
            active = false;
            return Result.DONE;
          } catch (IOException e) {
            active = false;
            gone = e;
          }
        }
      } finally {
        lock.unlock();
      }
      report(gone);
      return Result.DONE;
    }

    void lost(IOException cause) {
      synchronized (this) {
        if (!active) {
          return;
        }
        active = false;
      }
      report(cause);
    }

    /** The watcher stopped: the request goes on unwatched. */
    synchronized void drop() {
      active = false;
    }

    /**
     * Sluice first, on this (the selector) thread, so that upstream is cancelled at once; then
     * Tomcat, on one of the connector's threads, which closes the socket.
     */
    private void report(IOException cause) {
      IOException eof = cause instanceof EOFException ? cause
          : new EOFException("client connection failed: " + cause);
      try {
        onGone.run();
      } finally {
        try {
          Internals.executor(socket).execute(() -> Internals.fail(socket, eof));
        } catch (RuntimeException rejected) { // stopping: report here
          Internals.fail(socket, eof);
        }
      }
    }

    @Override
    public void disarm() {
      synchronized (this) {
        if (!active) {
          return;
        }
        active = false;
      }
      watcher.changed(this);
    }
  }
}
