package dev.sluice;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.hook.Headers;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.RequestContext;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the request hooks. The body is parsed only when a hook asks for it, at most once, and
 * serialized at most once, only when a hook edited it. {@link #model()} and {@link #stream()}
 * alone (what a model-alias or routing hook reads) take one streaming pass over the top level
 * instead of a tree, which for a long conversation is many times cheaper.
 */
final class RequestStage implements RequestContext {
  private final String path;
  private final byte[] raw;
  private final int rawLength;
  private final Headers headers; // what is sent upstream
  private final Headers redacted; // the same lines, as hooks that do not read credentials see them
  private Headers shown;
  private final Map<String, Object> attributes;
  private ObjectNode body;
  private boolean changed;
  private String newModel; // set by setModel while there is no tree: spliced into the bytes
  private TopLevelFields topLevel;
  private int rejectStatus;
  private String rejectType;
  private String rejectMessage;

  private final RequestFacts facts;

  RequestStage(String path, byte[] raw, int rawLength, Headers headers,
      Map<String, Object> attributes, RequestFacts facts) {
    this.facts = facts;
    this.path = path;
    this.raw = raw;
    this.rawLength = rawLength;
    this.headers = headers;
    this.redacted = headers.redacted();
    this.shown = redacted;
    this.attributes = attributes;
  }

  /** Where {@link #run} left the request. */
  enum Step {
    /** Every request hook ran: send it. */
    DONE,
    /** A hook rejected it, or failed closed: answer {@link #rejectStatus()}. */
    REJECTED,
    /** A hook's {@code onRequestAsync} is still working; {@link #resume()} goes on. */
    WAITING
  }

  private Hook[] hooks;
  private HookRegistry registry;
  private Runnable onSettled;
  private int next; // the next hook to run
  private Wait waiting; // the hook whose stage has not completed, or null

  /** One hook's pending stage; {@code state} settles the race between completion and return. */
  private static final class Wait {
    static final int REGISTERING = 0;
    static final int SETTLED_EARLY = 1;
    static final int PARKED = 2;
    final Hook hook;
    final AtomicInteger state = new AtomicInteger(REGISTERING);
    volatile Throwable failure;
    volatile boolean settled;

    Wait(Hook hook) {
      this.hook = hook;
    }
  }

  /**
   * Runs the request hooks in order, showing credentials to those {@code registry} lets read
   * them. A hook whose {@code onRequestAsync} stage has not completed parks the request
   * ({@link Step#WAITING}); {@code onSettled} is called, on the completing thread, when it does.
   */
  Step run(Hook[] hooks, HookRegistry registry, Runnable onSettled) {
    this.hooks = hooks;
    this.registry = registry;
    this.onSettled = onSettled;
    return proceed();
  }

  /** After {@code onSettled}: takes the parked hook's result and runs the rest. */
  Step resume() {
    Wait w = waiting;
    if (w == null || !w.settled) {
      return w == null ? Step.DONE : Step.WAITING; // a late call for a wait already given up
    }
    waiting = null;
    return settle(w.hook, w.failure, false) ? proceed() : Step.REJECTED;
  }

  /** The request-hook-timeout passed while a hook was parked: it failed. */
  Step timedOut() {
    Wait w = waiting;
    if (w == null) {
      return Step.DONE;
    }
    waiting = null;
    return settle(w.hook, null, true) ? proceed() : Step.REJECTED;
  }

  private Step proceed() {
    for (; next < hooks.length; next++) {
      Hook hook = hooks[next];
      shown = registry.readsCredentials(hook) ? headers : redacted;
      if (registry.calls(hook, HookPoint.REQUEST)) {
        boolean ok = Guard.run(hook, HookPoint.REQUEST, () -> hook.onRequest(this));
        if (!settle(hook, ok ? null : FAILED, false)) {
          return Step.REJECTED;
        }
      }
      if (registry.calls(hook, HookPoint.REQUEST_ASYNC)) {
        CompletionStage<?>[] started = new CompletionStage<?>[1];
        boolean ok = Guard.run(hook, HookPoint.REQUEST_ASYNC,
            () -> started[0] = hook.onRequestAsync(this));
        if (ok && started[0] != null) {
          Wait w = new Wait(hook);
          waiting = w;
          started[0].whenComplete((v, t) -> {
            w.failure = t;
            w.settled = true;
            if (!w.state.compareAndSet(Wait.REGISTERING, Wait.SETTLED_EARLY)) {
              onSettled.run(); // parked: the exchange resumes on this thread
            }
          });
          if (w.state.compareAndSet(Wait.REGISTERING, Wait.PARKED)) {
            next++;
            return Step.WAITING;
          }
          waiting = null; // completed already: go on here
          if (!settle(hook, w.failure, false)) {
            return Step.REJECTED;
          }
        } else if (!settle(hook, ok ? null : FAILED, false)) {
          return Step.REJECTED;
        }
      }
    }
    return Step.DONE;
  }

  /** Marks a synchronous throw, already logged by {@link Guard}. */
  private static final Throwable FAILED = new Throwable("logged", null, false, false) {};

  /**
   * Applies one hook's outcome: its failure (thrown, completed exceptionally, or timed out)
   * rejects the request unless the hook is fail-open, and a header it set that could split the
   * upstream request fails it closed. Returns false when the request is rejected.
   */
  private boolean settle(Hook hook, Throwable failure, boolean timedOut) {
    if (timedOut || failure != null) {
      if (timedOut) {
        Guard.logTimeout(hook);
      } else if (failure != FAILED) {
        Guard.logFailure(hook, HookPoint.REQUEST_ASYNC, unwrap(failure));
      }
      if (!hook.failOpen()) {
        if (timedOut) {
          reject(504, "timeout_error", "Request hook '" + hook.name()
              + "' did not finish within request-hook-timeout");
        } else {
          reject(500, "api_error", "Request hook '" + hook.name() + "' failed");
        }
      }
    }
    if (rejectStatus == 0) {
      checkHeaders(hook);
    }
    return rejectStatus == 0;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /**
   * A header a hook set that could split the upstream request (CR, LF) fails the request closed:
   * never forwarded, never dropped silently, logged without its value (it may be a key).
   */
  private void checkHeaders(Hook hook) {
    String invalid = HeaderRules.invalidLine(headers.lines());
    if (invalid != null) {
      Guard.logRefused(hook, HookPoint.REQUEST, "set an invalid header, " + invalid);
      reject(500, "api_error", "Request hook '" + hook.name() + "' set an invalid header");
    }
  }

  /** The body to send: the original bytes unless a hook edited the tree or set the model. */
  byte[] bodyBytes() {
    if (changed) {
      return Json.bytes(body);
    }
    if (newModel != null) {
      byte[] value = JsonStringEncoder.getInstance().quoteAsUTF8(newModel);
      int start = topLevel.modelStart;
      int end = topLevel.modelEnd;
      byte[] spliced = new byte[rawLength - (end - start) + value.length + 2];
      System.arraycopy(raw, 0, spliced, 0, start);
      spliced[start] = '"';
      System.arraycopy(value, 0, spliced, start + 1, value.length);
      spliced[start + 1 + value.length] = '"';
      System.arraycopy(raw, end, spliced, start + 2 + value.length, rawLength - end);
      return spliced;
    }
    return raw;
  }

  int bodyLength(byte[] bytes) {
    return bytes == raw ? rawLength : bytes.length;
  }

  /** The parsed body if some hook parsed it, else null (so callers can avoid a parse). */
  ObjectNode parsedOrNull() {
    return body;
  }

  int rejectStatus() {
    return rejectStatus;
  }

  String rejectType() {
    return rejectType;
  }

  String rejectMessage() {
    return rejectMessage;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String model() {
    if (newModel != null) {
      return newModel;
    }
    return body == null ? topLevel().model : TopLevelFields.model(body);
  }

  @Override
  public boolean stream() {
    return body == null ? topLevel().stream : TopLevelFields.stream(body);
  }

  /** {@code model} and {@code stream} of the unparsed body, read by the tree's rule. */
  private TopLevelFields topLevel() {
    if (topLevel == null) {
      topLevel = TopLevelFields.scan(raw, rawLength);
      facts.scanned(topLevel); // the record's facts need no second scan
    }
    return topLevel;
  }

  @Override
  public ArrayNode messages() {
    JsonNode m = body().get("messages");
    return m instanceof ArrayNode ? (ArrayNode) m : Json.MAPPER.createArrayNode();
  }

  @Override
  public ObjectNode body() {
    if (body == null) {
      body = Json.object(raw, 0, rawLength);
      facts.parsed(body); // what the client asked for, before any hook edits it
      if (newModel != null) { // a splice is pending: the tree takes it over
        body.put("model", newModel);
        newModel = null;
        changed = true;
      }
    }
    return body;
  }

  @Override
  public void setModel(String model) {
    Objects.requireNonNull(model, "model == null");
    if (body == null && topLevel().modelStart >= 0) {
      newModel = model;
    } else {
      editBody().put("model", model); // a tree exists, or no plain "model" string to replace
    }
  }

  @Override
  public ObjectNode editBody() {
    changed = true;
    return body();
  }

  @Override
  public ByteBuffer rawBody() {
    return ByteBuffer.wrap(raw, 0, rawLength).asReadOnlyBuffer();
  }

  @Override
  public Headers headers() {
    return shown;
  }

  @Override
  public Map<String, Object> attributes() {
    return attributes;
  }

  @Override
  public void reject(int status, String errorType, String message) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("reject status must be 4xx or 5xx: " + status);
    }
    this.rejectStatus = status;
    this.rejectType = errorType;
    this.rejectMessage = message;
  }
}
