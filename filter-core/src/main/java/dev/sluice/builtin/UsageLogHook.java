package dev.sluice.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.Timings;
import java.math.BigDecimal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code usage-log}: one JSON line per exchange on the SLF4J logger {@code sluice.usage} (info),
 * with the request id, model, outcome, usage, cost and timings. Never bodies or credentials.
 */
public final class UsageLogHook implements Hook {
  static final Logger LOG = LoggerFactory.getLogger("sluice.usage");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public String name() {
    return "usage-log";
  }

  @Override
  public void onComplete(ExchangeRecord r) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    LOG.info(line(r));
  }

  static String line(ExchangeRecord r) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("request_id", r.requestId());
    line.put("path", r.path());
    line.put("model", r.model());
    String upstreamModel = r.message().path("model").asText("");
    if (!upstreamModel.isEmpty() && !upstreamModel.equals(r.model())) {
      line.put("upstream_model", upstreamModel);
    }
    line.put("stream", r.stream());
    line.put("status", r.status());
    line.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
    line.put("partial", r.partial());
    for (String f : new String[] {"input_tokens", "output_tokens", "cache_creation_input_tokens",
        "cache_read_input_tokens"}) {
      if (r.usage().has(f)) {
        line.put(f, r.usage().path(f).asLong());
      }
    }
    long searches = r.usage().path("server_tool_use").path("web_search_requests").asLong(0);
    if (searches > 0) {
      line.put("web_search_requests", searches);
    }
    if (!Double.isNaN(r.cost())) { // the decimal's digits (0.000081), not the double's 8.1E-5
      line.putRawValue("cost_usd",
          new RawValue(BigDecimal.valueOf(r.cost()).stripTrailingZeros().toPlainString()));
    }
    Timings t = r.timings();
    if (t.firstContentNanos() >= 0) {
      line.put("ttft_ms", t.firstContentNanos() / 1_000_000.0);
    }
    if (t.endNanos() >= 0) {
      line.put("duration_ms", t.endNanos() / 1_000_000.0);
    }
    return line.toString();
  }
}
