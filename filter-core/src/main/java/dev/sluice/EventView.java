package dev.sluice;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.hook.StreamEvent;
import java.io.IOException;

/** {@link StreamEvent} over one event's name and data; parses only what is asked, once. */
final class EventView implements StreamEvent {
  private final String name;
  private final String data;
  private boolean scanned;
  private String type = "";
  private int index = -1;
  private String deltaType = "";
  private String text = "";
  private ObjectNode json;

  EventView(String name, String data) {
    this.name = name;
    this.data = data;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String data() {
    return data;
  }

  @Override
  public String type() {
    scan();
    return type;
  }

  @Override
  public int index() {
    scan();
    return index;
  }

  @Override
  public String deltaType() {
    scan();
    return deltaType;
  }

  @Override
  public String text() {
    scan();
    return text;
  }

  @Override
  public ObjectNode json() {
    if (json == null) {
      json = Json.object(data);
    }
    return json;
  }

  /** One streaming pass for the top-level type and index and delta.type/text; no tree. */
  private void scan() {
    if (scanned) {
      return;
    }
    scanned = true;
    Json.USES.incrementAndGet();
    try (JsonParser p = Json.MAPPER.getFactory().createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("type") && value == JsonToken.VALUE_STRING) {
          type = p.getText();
        } else if (field.equals("index") && value == JsonToken.VALUE_NUMBER_INT) {
          index = p.getIntValue();
        } else if (field.equals("delta") && value == JsonToken.START_OBJECT) {
          scanDelta(p);
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException notJson) {
      // Leave the defaults: a hook sees an event with no type.
    }
  }

  private void scanDelta(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("type") && value == JsonToken.VALUE_STRING) {
        deltaType = p.getText();
      } else if (field.equals("text") && value == JsonToken.VALUE_STRING) {
        text = p.getText();
      } else {
        p.skipChildren();
      }
    }
  }
}
