package dev.sluice.plugintest;

import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An upstream that answers each request with the next scripted {@link Upstream}, one chunk per
 * demand, on a thread of its own (as a real transport calls back on its I/O threads).
 */
final class ScriptedTransport implements UpstreamTransport {
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "sluice-harness-upstream");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Upstream> answers = new LinkedBlockingQueue<>();
  final BlockingQueue<UpstreamRequest> sent = new LinkedBlockingQueue<>();

  void answerNextWith(List<Upstream> next) {
    answers.clear();
    answers.addAll(next);
  }

  @Override
  public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
    return new UpstreamCall() {
      private int next;
      private boolean cancelled;
      private Upstream answer;

      @Override
      public void start() {
        thread.execute(() -> {
          sent.add(request);
          answer = answers.poll();
          if (answer == null) {
            listener.onFailure(new IllegalStateException("the harness has no upstream answer "
                + "scripted for this request (one Upstream per upstream request)"));
            return;
          }
          listener.onResponse(answer.status(), answer.headers());
          if (answer.chunks().isEmpty()) {
            listener.onComplete();
          }
        });
      }

      @Override
      public void demand() {
        thread.execute(() -> {
          if (cancelled || answer == null || next >= answer.chunks().size()) {
            return;
          }
          listener.onData(List.of(ByteBuffer.wrap(answer.chunks().get(next++))));
          if (next == answer.chunks().size()) {
            listener.onComplete();
          }
        });
      }

      @Override
      public void cancel() {
        thread.execute(() -> cancelled = true);
      }
    };
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
