package dev.sluice.hook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Map;

/** The request as {@link Hook#onRequest} sees it. Not thread-safe; valid during the call only. */
public interface RequestContext {
  /** The path from {@code /v1/messages} on, such as {@code /v1/messages/count_tokens}. */
  String path();

  /** The requested {@code model}, or "" when absent. */
  String model();

  /** The body's {@code "stream": true}. */
  boolean stream();

  /** The request's {@code messages}; an empty array when absent. Read-only by contract. */
  ArrayNode messages();

  /**
   * The body exactly as received, read-only. Lets a hook decide with a cheap byte scan, so that
   * requests it does not care about are never parsed.
   */
  ByteBuffer rawBody();

  /** The parsed request body. Read-only by contract: to change it, use {@link #editBody()}. */
  ObjectNode body();

  /** The same tree, marked changed: Sluice serializes it once after all request hooks ran. */
  ObjectNode editBody();

  /**
   * Sets the top-level {@code model} (what a model-alias or routing hook does). Unless a hook
   * parses or edits the tree, the new name is spliced into the original bytes: the rest of the
   * body is neither parsed into a tree nor re-serialized, so it reaches upstream byte for byte.
   * {@link #model()} returns the new name from then on.
   */
  void setModel(String model);

  /**
   * The headers Sluice will send upstream; changes apply. Credential values read as {@link
   * Headers#REDACTED} unless the hook {@linkplain Hook#readsCredentials() reads credentials}; it
   * may set or remove them either way. A name that is not an HTTP token, or a value holding CR, LF
   * or NUL, fails the request closed (500 {@code api_error}, logged without the value): it is
   * never forwarded.
   */
  Headers headers();

  /** Per-exchange values for later points of this and other hooks. Thread-safe. */
  Map<String, Object> attributes();

  /**
   * Answers the client with an Anthropic-shaped error instead of sending the request upstream.
   *
   * @param errorType Anthropic's error type, such as {@code permission_error}
   */
  void reject(int status, String errorType, String message);
}
