package dev.sluice.hook;

import java.util.Objects;

/**
 * One try of an exchange at one upstream entry, when Sluice retries or fails over (see the
 * README's "Failover and retries"). Never holds a credential: {@link #key} names the key by its
 * place in its pool.
 *
 * @param upstream the entry's host, with the port when the URL gave one ({@code api.example:8443})
 * @param key which key of the entry's pool was sent: {@code "1"}, {@code "2"}, ... (1-based), or
 *     {@code "client"} when the client's own credentials went upstream
 * @param status upstream's HTTP status; 0 when none arrived (connection failed)
 * @param error why the attempt did not serve the exchange: an Anthropic error type seen inside a
 *     200 stream before content ({@code overloaded_error}), {@code connect_failed}, {@code
 *     connection_cut}, {@code status} (a retryable status); "" for the attempt that was relayed
 * @param stoppedNanos when the attempt ended, in nanoseconds after the exchange's first attempt
 *     started
 * @param ending what became of the attempt
 */
public record Attempt(String upstream, String key, int status, String error, long stoppedNanos,
    Ending ending) {

  /** What became of an attempt. */
  public enum Ending {
    /** Its response (success, or the last error) went to the client. */
    RELAYED,
    /** Discarded before any of it reached the client; another attempt followed. */
    RETRIED,
    /** Discarded and not followed by another: the retry budget or max-attempts ran out first. */
    ABANDONED,
    /** The exchange ended (the client left, a timeout) while it was still running. */
    CANCELLED
  }

  public Attempt {
    Objects.requireNonNull(upstream, "upstream == null");
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(error, "error == null");
    Objects.requireNonNull(ending, "ending == null");
  }
}
