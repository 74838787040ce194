package dev.sluice;

import dev.sluice.upstream.UpstreamCall;
import dev.sluice.upstream.UpstreamListener;
import dev.sluice.upstream.UpstreamRequest;
import dev.sluice.upstream.UpstreamTransport;
import dev.sluice.upstream.UpstreamTransportProvider;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A transport found through META-INF/services (test resources): answers every request with a
 * fixed JSON body, and remembers what it was created with.
 */
public final class RecordingTransportProvider implements UpstreamTransportProvider {
  static final List<Created> CREATED = new CopyOnWriteArrayList<>();
  static final byte[] BODY = "{\"from\":\"recording-transport\"}".getBytes(StandardCharsets.UTF_8);

  record Created(Duration connectTimeout, String ownSetting, Transport transport) {}

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public UpstreamTransport create(Settings settings) {
    if (settings.get("recording-fail").equals("true")) {
      throw new IllegalArgumentException("Invalid Sluice setting 'recording-fail': refused");
    }
    Transport t = new Transport();
    CREATED.add(new Created(settings.connectTimeout(), settings.get("recording-option"), t));
    return t;
  }

  static final class Transport implements UpstreamTransport {
    volatile boolean closed;
    final List<UpstreamRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public UpstreamCall open(UpstreamRequest request, UpstreamListener listener) {
      requests.add(request);
      return new UpstreamCall() {
        boolean sent;

        @Override
        public void start() {
          listener.onResponse(200, List.of(Map.entry("content-type", "application/json")));
        }

        @Override
        public synchronized void demand() {
          if (sent) {
            listener.onComplete();
          } else {
            sent = true;
            listener.onData(List.of(ByteBuffer.wrap(BODY)));
          }
        }

        @Override
        public void cancel() {}
      };
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
