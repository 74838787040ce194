package dev.sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Usage arithmetic across follow-up rounds. */
final class Usage {
  private Usage() {}

  /** Field-by-field sum of numbers (recursively); other values are taken from the last round. */
  static ObjectNode sum(List<JsonNode> usages) {
    ObjectNode total = Json.MAPPER.createObjectNode();
    for (JsonNode u : usages) {
      add(total, u);
    }
    return total;
  }

  private static void add(ObjectNode into, JsonNode from) {
    Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode have = into.get(f.getKey());
      JsonNode v = f.getValue();
      if (v.isIntegralNumber()) {
        into.put(f.getKey(), (have == null ? 0 : have.asLong()) + v.asLong());
      } else if (v.isNumber()) {
        into.put(f.getKey(), (have == null ? 0 : have.asDouble()) + v.asDouble());
      } else if (v.isObject()) {
        add(have instanceof ObjectNode ? (ObjectNode) have : into.putObject(f.getKey()), v);
      } else {
        into.set(f.getKey(), v.deepCopy());
      }
    }
  }
}
