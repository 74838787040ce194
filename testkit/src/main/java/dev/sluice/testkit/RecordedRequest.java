package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request as {@link MockUpstream} received it, and how the exchange went. The request side is
 * immutable; {@link #bytesSent()}, {@link #outcome()} and {@link #endedAt()} change while the
 * response is being written. Safe to read from any thread.
 */
public final class RecordedRequest {

  /** How an exchange ended. */
  public enum Outcome {
    /** The whole response was written, terminal chunk included. */
    COMPLETED,
    /** The peer closed the connection, or a write failed, before the response was finished. */
    CLIENT_CLOSED_EARLY,
    /**
     * The mock cut the response on purpose ({@code abrupt_close}), gave up on an idle connection,
     * or was closed while the exchange was still running.
     */
    ABORTED_BY_MOCK
  }

  private final String method;
  private final String path;
  private final String query;
  private final List<Map.Entry<String, String>> headerList;
  private final byte[] body;
  private final String requestId;
  private final int status;
  private final AtomicLong bytesSent = new AtomicLong();
  private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
  private volatile Instant endedAt;

  RecordedRequest(
      String method,
      String path,
      String query,
      List<Map.Entry<String, String>> headerList,
      byte[] body,
      String requestId,
      int status) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.headerList = List.copyOf(headerList);
    this.body = body;
    this.requestId = requestId;
    this.status = status;
  }

  public String method() {
    return method;
  }

  /** The path as received, without the query. */
  public String path() {
    return path;
  }

  /** The raw query string, or null when the request had none. */
  public String query() {
    return query;
  }

  /** Every header line as received, in order; names lower-cased, values untouched. */
  public List<Map.Entry<String, String>> headerList() {
    return headerList;
  }

  /** All values of a header (case-insensitive name), one per header line, in order. */
  public List<String> headers(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> e : headerList) {
      if (e.getKey().equals(lower)) {
        values.add(e.getValue());
      }
    }
    return values;
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> e : headerList) {
      if (e.getKey().equals(lower)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The request body, byte for byte (a copy). */
  public byte[] body() {
    return body.clone();
  }

  /** The request body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, UTF_8);
  }

  /** The {@code request-id} header the mock answered with. */
  public String requestId() {
    return requestId;
  }

  /** The status the mock answered (or is answering) with. */
  public int status() {
    return status;
  }

  /** Response body bytes whose write has completed so far; grows while the exchange runs. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** How the exchange ended, or null while it is still running. */
  public Outcome outcome() {
    return outcome.getNow(null);
  }

  /** When the exchange ended, or null while it is still running. */
  public Instant endedAt() {
    return endedAt;
  }

  /**
   * Blocks until the exchange has ended.
   *
   * @throws AssertionError if it has not ended within {@code timeout}
   */
  public Outcome awaitOutcome(Duration timeout) {
    try {
      return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "exchange " + requestId + " still running after " + timeout + "; " + this);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while awaiting " + requestId, e);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    }
  }

  void addBytesSent(long n) {
    bytesSent.addAndGet(n);
  }

  /** First call wins: a late write failure must not overwrite a recorded abort. */
  void end(Outcome how) {
    if (endedAt == null) {
      synchronized (this) {
        if (endedAt == null) {
          endedAt = Instant.now();
        }
      }
    }
    outcome.complete(how);
  }

  @Override
  public String toString() {
    return "RecordedRequest{"
        + method
        + " "
        + path
        + (query == null ? "" : "?" + query)
        + ", requestId="
        + requestId
        + ", status="
        + status
        + ", bodyBytes="
        + body.length
        + ", bytesSent="
        + bytesSent
        + ", outcome="
        + outcome()
        + "}";
  }
}
