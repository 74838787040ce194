package dev.sluice;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The request's {@code model} and {@code stream} as the client sent them (before any hook edited
 * the request): taken from the tree when a hook parses the body, at that moment, else by a
 * streaming scan of the top-level fields done only when first asked.
 */
final class RequestFacts {
  private byte[] body;
  private int length;
  private boolean known;
  private String model = "";
  private boolean stream;

  /** The client's body, for a scan if nobody parses it. */
  void source(byte[] body, int length) {
    this.body = body;
    this.length = length;
  }

  /** A freshly parsed, not yet edited tree of the client's body. */
  void parsed(ObjectNode tree) {
    if (!known) {
      model = tree.path("model").asText("");
      stream = tree.path("stream").asBoolean(false);
      known = true;
      body = null;
    }
  }

  /** What a streaming scan of the client's body found, so that nobody scans it again. */
  void scanned(String clientModel, boolean clientStream) {
    if (!known) {
      model = clientModel;
      stream = clientStream;
      known = true;
      body = null;
    }
  }

  String model() {
    scan();
    return model;
  }

  boolean stream() {
    scan();
    return stream;
  }

  private void scan() {
    if (known) {
      return;
    }
    known = true;
    if (body == null) {
      return;
    }
    Json.USES.incrementAndGet();
    boolean haveModel = false;
    boolean haveStream = false;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME && !(haveModel && haveStream)) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("model") && value == JsonToken.VALUE_STRING) {
          model = p.getText();
          haveModel = true;
        } else if (field.equals("stream")) {
          stream = value == JsonToken.VALUE_TRUE;
          haveStream = true;
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException notJson) {
      // Upstream will answer 400; the facts stay empty.
    } finally {
      body = null;
    }
  }
}
