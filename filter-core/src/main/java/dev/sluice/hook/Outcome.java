package dev.sluice.hook;

/** How an exchange ended. */
public enum Outcome {
  /** Upstream answered 2xx and the response reached its end. */
  COMPLETED,
  /** Upstream answered with an error status, or ended a stream with an {@code error} event. */
  UPSTREAM_ERROR,
  /** The client went away before the end; upstream was cancelled. */
  CLIENT_CANCELLED,
  /** The upstream connection failed, before or during the response. */
  UPSTREAM_FAILED,
  /** Upstream was too slow: connect, headers or idle timeout. */
  TIMED_OUT,
  /** Sluice or a request hook answered without asking upstream (413, reject, …). */
  REJECTED
}
