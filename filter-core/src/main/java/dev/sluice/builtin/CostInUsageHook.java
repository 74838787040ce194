package dev.sluice.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.sluice.cost.Pricing;
import dev.sluice.cost.PricingAware;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.StreamEvent;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code cost-in-usage}: adds the exchange's cost in USD as {@code usage.cost} to each
 * {@code message_delta} (from {@code message_start}'s usage overlaid with the delta's, so cache
 * and input tokens count even when the delta omits them) and to non-streaming responses. The cost
 * is an exact decimal written in plain notation ({@code 0.000213}). Prices come from the filter's
 * table (the shipped one overlaid by the {@code pricing-file} setting), the one the record's cost
 * uses; models without a price are left alone.
 */
public final class CostInUsageHook implements Hook, PricingAware {
  private static final String START_USAGE = "cost-in-usage.start-usage";
  private static final String MODEL = "cost-in-usage.model";
  /** The shipped table until the filter hands over its own at start. */
  private volatile Pricing pricing = Pricing.defaults();

  @Override
  public String name() {
    return "cost-in-usage";
  }

  @Override
  public void pricing(Pricing pricing) {
    this.pricing = Objects.requireNonNull(pricing, "pricing == null");
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
    Optional<BigDecimal> cost = pricing.cost(model, usage);
    if (cost.isEmpty()) {
      return;
    }
    // Written as the decimal's own digits: a BigDecimal node would print 1E-7 for small costs.
    event.with(field).putRawValue("cost", new RawValue(cost.get().toPlainString()));
    ctx.replace(event);
  }
}
