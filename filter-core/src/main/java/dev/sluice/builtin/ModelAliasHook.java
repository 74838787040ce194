package dev.sluice.builtin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.hook.EventContext;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.hook.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code model-alias}: maps requested model names to upstream models, from the
 * {@code model-aliases} setting ({@code alias=model,alias2=model2}), and rewrites
 * {@code message.model} in {@code message_start} (and in non-streaming responses) back to the
 * requested name, so clients see the name they asked for.
 */
public final class ModelAliasHook implements Hook {
  private static final String REQUESTED = "model-alias.requested";
  private Map<String, String> aliases = Map.of();

  public ModelAliasHook() {}

  /** For programmatic use. */
  public ModelAliasHook(Map<String, String> aliases) {
    this.aliases = Map.copyOf(aliases);
  }

  @Override
  public String name() {
    return "model-alias";
  }

  @Override
  public void configure(HookSettings settings) {
    String spec = settings.get("model-aliases");
    if (spec.isEmpty()) {
      return;
    }
    Map<String, String> parsed = new HashMap<>();
    for (String pair : spec.split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
        throw new IllegalArgumentException("Invalid Sluice setting 'model-aliases': '" + pair
            + "' is not alias=model");
      }
      parsed.put(kv[0].trim(), kv[1].trim());
    }
    aliases = Map.copyOf(parsed);
  }

  @Override
  public void onRequest(RequestContext ctx) {
    String upstream = aliases.get(ctx.model());
    if (upstream != null) {
      ctx.attributes().put(REQUESTED, ctx.model());
      ctx.setModel(upstream); // spliced into the bytes: the conversation is not re-serialized
    }
  }

  @Override
  public Set<String> eventNames() {
    return Set.of("message_start", "message");
  }

  @Override
  public void onEvent(EventContext ctx) {
    Object requested = ctx.attributes().get(REQUESTED);
    if (requested == null) {
      return;
    }
    String name = ctx.event().name();
    if (name.equals("message_start")) {
      ObjectNode json = ctx.event().json().deepCopy();
      json.with("message").put("model", (String) requested);
      ctx.replace(json);
    } else if (name.equals("message")) {
      ObjectNode json = ctx.event().json().deepCopy();
      json.put("model", (String) requested);
      ctx.replace(json);
    }
  }
}
