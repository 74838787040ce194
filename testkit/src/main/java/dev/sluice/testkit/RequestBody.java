package dev.sluice.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The two request fields the mock cares about. Read with the streaming parser so a large body is
 * validated in one pass without building a tree.
 */
record RequestBody(boolean stream, String model) {
  private static final JsonFactory JSON = new JsonFactory();

  static RequestBody parse(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw invalid("request body must be a JSON object");
      }
      boolean stream = false;
      String model = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("stream".equals(name)) {
          stream = value == JsonToken.VALUE_TRUE;
        } else if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
          model = p.getText();
        }
        p.skipChildren();
      }
      if (p.nextToken() != null) {
        throw invalid("unexpected data after the JSON object");
      }
      return new RequestBody(stream, model);
    } catch (JsonProcessingException e) {
      throw invalid("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid("request body is not valid JSON: " + e.getMessage());
    }
  }

  private static MockRequestException invalid(String message) {
    return new MockRequestException(400, "invalid_request_error", message);
  }
}
