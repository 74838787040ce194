package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A Sluice plugin. Implement the points you need; every method defaults to doing nothing, and a
 * point a hook does not override is never called: Sluice decides once, at start, which points each
 * hook overrides (also through an abstract base class or a sub-interface), and a pipeline stage
 * that no enabled hook needs does not exist for the request. With no hooks the filter is a pure
 * byte relay.
 *
 * <p>Register a hook with {@code java.util.ServiceLoader} (a {@code META-INF/services/dev.sluice.hook.Hook}
 * file in your jar), then enable it by {@link #name()} in the {@code hooks} setting. Frameworks
 * and tests may pass instances to {@code new SluiceFilter(config, hooks)} instead.
 *
 * <p>For one exchange the points are called in this order:
 * <ol>
 *   <li>{@link #onRequest} (or {@link #onRequestAsync}, which may finish later) once, before
 *       anything is sent upstream;</li>
 *   <li>{@link #onResponseStart} once, when upstream's status and headers arrive;</li>
 *   <li>{@link #onEvent} per event of a streamed response (once with the whole message for a
 *       non-streaming one);</li>
 *   <li>{@link #onTurn} after each assistant turn of a stream is assembled;</li>
 *   <li>{@link #onComplete} once, after the client's response has ended.</li>
 * </ol>
 * Points 1 to 4 run on a container or transport I/O thread: they must not block (with the JDK
 * transport's default executor, one selector thread carries every stream). They run one at a
 * time per exchange, with the web app's class loader as the thread's context class loader. Hooks
 * run in {@link #priority()} order, then by name. A hook that throws is logged with its name and
 * the point, and never breaks the stream; see each point for what happens to its change.
 *
 * <p>Credentials: a hook sees the values of {@code x-api-key}, {@code authorization} and cookies
 * as {@code [redacted]} unless it overrides {@link #readsCredentials()}, so what it logs or
 * exports cannot leak a key; the real values are forwarded all the same.
 */
public interface Hook {

  /** Use to avoid comparing against null; it overrides nothing, so it is never called. */
  Hook NONE = new Hook() {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public String toString() {
      return "Hook.NONE";
    }
  };

  /** What {@link #eventNames()} returns to see every event: a set holding {@code "*"}. */
  Set<String> EVERY_EVENT = Set.of("*");

  /**
   * The name the {@code hooks} setting enables this hook by. Defaults to the class's simple name
   * in kebab case ({@code MyGuardrail} → {@code my-guardrail}).
   */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /**
   * Called once when the filter starts, before any request, with the filter's settings. Throw an
   * {@link IllegalArgumentException} naming the setting to fail start on a bad value. Not a hook
   * point. Defaults to doing nothing.
   */
  default void configure(HookSettings settings) {}

  /** Lower runs first; ties are ordered by {@link #name()}. Defaults to 0. */
  default int priority() {
    return 0;
  }

  /**
   * Called once per exchange before the request is sent upstream, on the thread that finished
   * reading the request body. May read the parsed request, edit it ({@link RequestContext#editBody()};
   * it is then serialized once, after all hooks ran), change upstream headers, set attributes for
   * later points, or {@link RequestContext#reject reject} the request. If it throws, the request
   * fails closed with a 500 {@code api_error} (override {@link #failOpen()} to pass instead).
   * Must not block. Defaults to doing nothing.
   */
  default void onRequest(RequestContext request) {}

  /**
   * The asynchronous form of {@link #onRequest}, for a hook that must ask something slow (a
   * Redis budget, a database, an auth service) before the request goes upstream, without blocking
   * a container thread while it waits. Called in the same place and order as {@code onRequest}
   * (a hook implementing both has {@code onRequest} called first), on the same thread, with the
   * same context. Start the work and return a stage that completes when it is done; the rest of
   * the pipeline (later request hooks, then the upstream request) goes on from the thread that
   * completes it, which must therefore not be one that may block (a client library's I/O thread
   * is fine). Return {@code null} or a completed stage to go on at once.
   *
   * <p>Until the stage completes the hook may use the context from any thread (read it, edit
   * the body or headers, {@link RequestContext#reject reject}); after it completes, or after the
   * wait was given up, it must not touch the context again. The wait is bounded by the
   * {@code request-hook-timeout} setting (all waits of a request together, default 10 s): past
   * it, or when the stage completes exceptionally, the hook has failed and {@link #failOpen()}
   * decides, as for a throw (a timed-out wait answers 504 {@code timeout_error}, a failure 500
   * {@code api_error}). A client that leaves while a hook works ends the exchange at once; the
   * late completion is then ignored. Hooks that do not override this method pay nothing for it.
   * Defaults to returning {@code null}.
   */
  default CompletionStage<?> onRequestAsync(RequestContext request) {
    return null;
  }

  /**
   * Called once when upstream's status and headers arrive (any status), on a transport thread.
   * Read-only. Must not block. Defaults to doing nothing.
   */
  default void onResponseStart(ResponseContext response) {}

  /**
   * Called for each SSE event of a streamed response, in order, on a transport thread, before the
   * event is written to the client. May pass it (do nothing: its original bytes go out), replace
   * it, drop it, or insert events before or after it. Events inserted by one hook are not shown to
   * the others. For a non-streaming JSON response it is called once, with the whole body as an
   * event named {@code message}. If it throws, the original event goes out. Must not block.
   * Defaults to doing nothing.
   */
  default void onEvent(EventContext event) {}

  /**
   * The names of the events {@link #onEvent} wants to see, such as {@code message_start} and
   * {@code message_delta} ({@code message} for a non-streaming response). Events with other names
   * are not shown to this hook, and an event that no hook wants is relayed as its original bytes
   * without its data being decoded or parsed, which is what makes a hook that looks at two events
   * per stream nearly free for the other thousand. A set holding {@code "*"} ({@link
   * #EVERY_EVENT}) means every event, whatever its name, including names newer than your code.
   * Read once, at start; not a hook point. Defaults to {@link #EVERY_EVENT}, so hooks written
   * before this method existed see every event, as they always did.
   */
  default Set<String> eventNames() {
    return EVERY_EVENT;
  }

  /**
   * Called after an assistant turn of a streamed response is assembled, before its final
   * {@code message_delta} and {@code message_stop} reach the client. Returning messages (for
   * example a user message carrying a server-side {@code tool_result}) makes Sluice send a
   * follow-up request upstream (the original request, plus the assistant turn, plus these) and
   * stream its content blocks into the same client stream, re-indexed, with combined usage; up to
   * the {@code max-follow-ups} setting. Runs on a transport thread; must not block. If it throws,
   * the turn ends as upstream ended it. Defaults to returning no messages.
   */
  default List<ObjectNode> onTurn(TurnContext turn) {
    return List.of();
  }

  /**
   * Called once per exchange after the client's response has ended, whatever the outcome, on
   * Sluice's completion executor (never an I/O thread), with the assembled message, merged usage,
   * cost, timings and outcome. May do slow work such as logging, but should not hold the thread
   * for long. A throw is logged. Defaults to doing nothing.
   */
  default void onComplete(ExchangeRecord record) {}

  /**
   * Whether a throw from {@link #onRequest} (or a failed or timed-out {@link #onRequestAsync}) lets the request through (true; changes the hook
   * made before it threw are kept, so make them last) or answers 500 {@code api_error} (false,
   * the default: a broken guardrail must not wave requests through).
   */
  default boolean failOpen() {
    return false;
  }

  /**
   * Whether this hook is shown credentials. By default (false) the values of {@code x-api-key},
   * {@code authorization}, {@code proxy-authorization}, {@code cookie} and {@code set-cookie} (see
   * {@link Headers#isCredential}) read as {@link Headers#REDACTED} in {@link
   * RequestContext#headers()} and {@link ResponseContext#headers()}, so a hook that logs, traces
   * or exports what it sees cannot leak a key; the real values are still forwarded, and the hook
   * may still set or remove those headers. Return true only in a hook whose job needs the value,
   * such as one that checks a client's key against its own list and swaps in the upstream key;
   * it then owns keeping the value out of its logs, exceptions and records. Read once, at start,
   * and shown in the start-up line ({@code my-auth[REQUEST] reads credentials}); not a hook
   * point.
   */
  default boolean readsCredentials() {
    return false;
  }
}
