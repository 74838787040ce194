package dev.sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.assemble.AssembledMessage;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.Outcome;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds {@link ExchangeRecord}s and runs the completion hooks, off the I/O threads. */
final class Records {
  private static final Logger LOG = LoggerFactory.getLogger(Records.class);

  private Records() {}

  /** Builds the record and calls {@code hooks} on the completion executor. */
  static void complete(Relay relay, Hook[] hooks, Stages stages, Outcome outcome, int status) {
    try {
      relay.completions().execute(() -> {
        ExchangeRecord record = build(relay, stages, outcome, status);
        for (Hook h : hooks) {
          Guard.run(h, HookPoint.COMPLETE, () -> h.onComplete(record));
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.warn("Completion hooks skipped for request {}: the completion queue is full or closed",
          stages.requestId());
    }
  }

  static ExchangeRecord build(Relay relay, Stages s, Outcome outcome, int status) {
    ObjectNode message = Json.MAPPER.createObjectNode();
    ObjectNode usage = Json.MAPPER.createObjectNode();
    boolean partial = false;
    AssembledMessage assembled = s.assembled();
    byte[] body = s.jsonBody();
    if (assembled != null) {
      message = assembled.message();
      usage = assembled.usage();
      partial = !assembled.complete();
    } else if (body != null && s.upstreamStatus() >= 200 && s.upstreamStatus() < 300) {
      message = Json.object(body, 0, body.length);
      JsonNode u = message.get("usage");
      usage = u instanceof ObjectNode ? (ObjectNode) u.deepCopy() : usage;
      partial = outcome != Outcome.COMPLETED;
    }
    Outcome result = outcome;
    if (outcome == Outcome.COMPLETED && (s.upstreamStatus() >= 400 || s.sawErrorEvent())) {
      result = Outcome.UPSTREAM_ERROR;
      partial = partial || s.sawErrorEvent();
    }
    String model = s.facts().model();
    String billed = message.path("model").asText(model);
    double cost = usage.isEmpty() ? Double.NaN
        : relay.pricing().cost(billed, usage).map(BigDecimal::doubleValue).orElse(Double.NaN);
    return new ExchangeRecord(s.requestId(), s.path(), model, s.facts().stream(), status, result,
        partial, message, usage, cost, s.clock().timings(), Map.copyOf(s.attributes()));
  }
}
