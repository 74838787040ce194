package dev.sluice.upstream;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One exchange on the JDK client. It is its own body handler and subscriber, so the status and
 * headers reach the listener as soon as they are parsed and the body flows only on demand.
 */
final class JdkCall implements UpstreamCall, HttpResponse.BodyHandler<Void>,
    HttpResponse.BodySubscriber<Void> {
  private final HttpClient client;
  private final HttpRequest request;
  private final UpstreamListener listener;
  private final AtomicBoolean terminated = new AtomicBoolean();
  private volatile CompletableFuture<HttpResponse<Void>> future;
  private Flow.Subscription subscription; // guarded by this
  private long earlyDemand; // guarded by this: demand() before the subscription existed
  private boolean cancelled; // guarded by this

  JdkCall(HttpClient client, HttpRequest request, UpstreamListener listener) {
    this.client = client;
    this.request = request;
    this.listener = listener;
  }

  @Override
  public void start() {
    synchronized (this) {
      if (cancelled) {
        return;
      }
    }
    CompletableFuture<HttpResponse<Void>> f = client.sendAsync(request, this);
    future = f;
    synchronized (this) {
      if (cancelled) { // cancel() ran before the future was set (the request is already out)
        f.cancel(true);
      }
    }
    // getBody() completes at once, so this future only ever fails before the response starts.
    f.whenComplete((response, error) -> {
      if (error != null) {
        fail(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
      }
    });
  }

  @Override
  public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    info.headers().map().forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      for (String v : values) {
        headers.add(Map.entry(lower, v));
      }
    });
    if (!terminated.get()) {
      listener.onResponse(info.statusCode(), headers);
    }
    return this;
  }

  @Override
  public CompletionStage<Void> getBody() {
    return CompletableFuture.completedStage(null);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    long n;
    synchronized (this) {
      if (cancelled) {
        n = -1;
      } else {
        subscription = s;
        n = earlyDemand;
        earlyDemand = 0;
      }
    }
    if (n < 0) {
      s.cancel();
    } else if (n > 0) {
      s.request(n);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    if (!terminated.get()) {
      listener.onData(item);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    fail(throwable);
  }

  @Override
  public void onComplete() {
    if (terminated.compareAndSet(false, true)) {
      listener.onComplete();
    }
  }

  @Override
  public void demand() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      s = subscription;
      if (s == null) {
        earlyDemand++;
        return;
      }
    }
    s.request(1);
  }

  @Override
  public void cancel() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      s = subscription;
    }
    terminated.set(true);
    if (s != null) {
      s.cancel(); // closes the HTTP/1.1 connection: a half-read body is never pooled
    }
    CompletableFuture<HttpResponse<Void>> f = future;
    if (f != null) {
      f.cancel(true); // before the response, aborts the exchange (JDK 16+)
    }
  }

  private void fail(Throwable error) {
    if (terminated.compareAndSet(false, true)) {
      listener.onFailure(error);
    }
  }
}
