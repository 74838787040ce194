package dev.sluice;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The request's {@code model} and {@code stream} as the client sent them (before any hook edited
 * the request), for the record: taken from the tree when a hook parses the body, at that moment,
 * else by a streaming scan of the top level done only when first asked. Both ways read by
 * {@link TopLevelFields}' one rule, so the record never depends on which hooks are enabled.
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
      known(TopLevelFields.model(tree), TopLevelFields.stream(tree));
    }
  }

  /** What a scan of the client's body found, so that nobody scans it again. */
  void scanned(TopLevelFields fields) {
    if (!known) {
      known(fields.model, fields.stream);
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
    if (body == null) {
      known = true;
      return;
    }
    scanned(TopLevelFields.scan(body, length));
  }

  private void known(String model, boolean stream) {
    this.model = model;
    this.stream = stream;
    known = true;
    body = null;
  }
}
