package dev.sluice.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cost.Pricing;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.StreamEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code cost-in-usage}: adds the exchange's cost in USD as {@code usage.cost} to each
 * {@code message_delta} (from {@code message_start}'s usage overlaid with the delta's, so cache
 * and input tokens count even when the delta omits them) and to non-streaming responses. Prices
 * come from the shipped table, overlaid by the {@code pricing-file} setting. Models without a
 * price are left alone.
 */
public final class CostInUsageHook implements Hook {
  private static final String START_USAGE = "cost-in-usage.start-usage";
  private static final String MODEL = "cost-in-usage.model";
  private Pricing pricing = Pricing.defaults();

  @Override
  public String name() {
    return "cost-in-usage";
  }

  @Override
  public void configure(HookSettings settings) {
    String file = settings.get("pricing-file");
    if (!file.isEmpty()) {
      try {
        pricing = Pricing.withOverrides(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("Invalid Sluice setting 'pricing-file': " + e, e);
      }
    }
  }

  /** The other events (thousands of deltas) never reach this hook, nor get decoded for it. */
  @Override
  public Set<String> eventNames() {
    return Set.of("message_start", "message_delta", "message");
  }

  @Override
  public void onEvent(EventContext ctx) {
    StreamEvent e = ctx.event();
    switch (e.name()) {
      case "message_start": {
        JsonNode message = e.json().path("message");
        ctx.attributes().put(MODEL, message.path("model").asText(ctx.model()));
        if (message.path("usage").isObject()) {
          ctx.attributes().put(START_USAGE, message.path("usage"));
        }
        return;
      }
      case "message_delta": {
        JsonNode usage = e.json().path("usage");
        if (!usage.isObject()) {
          return;
        }
        String model = (String) ctx.attributes().getOrDefault(MODEL, ctx.model());
        ObjectNode merged = ((ObjectNode) ctx.attributes()
            .getOrDefault(START_USAGE, usage.deepCopy())).deepCopy();
        merged.setAll((ObjectNode) usage);
        withCost(ctx, model, merged, e.json().deepCopy(), "usage");
        return;
      }
      case "message": { // a non-streaming response
        ObjectNode message = e.json();
        if (message.path("usage").isObject()) {
          withCost(ctx, message.path("model").asText(ctx.model()),
              (ObjectNode) message.path("usage"), message.deepCopy(), "usage");
        }
        return;
      }
      default:
    }
  }

  private void withCost(EventContext ctx, String model, JsonNode usage, ObjectNode event,
      String field) {
    double cost = pricing.cost(model, usage);
    if (Double.isNaN(cost)) {
      return;
    }
    event.with(field).put("cost", cost);
    ctx.replace(event);
  }
}
