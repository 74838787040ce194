package dev.sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.assemble.AssembledMessage;
import dev.sluice.assemble.MessageAssembler;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.TurnContext;
import dev.sluice.hook.TurnRecord;
import dev.sluice.upstream.UpstreamRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Agentic follow-ups: holds back each turn's {@code message_delta} and {@code message_stop}, asks
 * the {@code FOLLOW_UP} hooks whether to continue, and stitches the follow-up streams into the
 * client's one message: their {@code message_start} is dropped, block indexes are shifted past
 * the blocks already sent, and the final {@code message_delta} carries the usage of all rounds.
 */
final class FollowUps {
  private final Relay relay;
  private final Hook[] hooks;
  private final Map<String, Object> attributes;
  private final Clock clock;
  private final List<TurnRecord> turns = new ArrayList<>();
  private long roundStart;
  private final URI target;
  private final List<Map.Entry<String, String>> headers;
  private final ObjectNode conversation;
  private final List<JsonNode> usages = new ArrayList<>();
  private MessageAssembler turn = MessageAssembler.create(true);
  private int round;
  private int blockOffset;
  private EventDispatch.Out heldDelta;
  private EventDispatch.Out heldStop;

  FollowUps(Relay relay, Hook[] hooks, Map<String, Object> attributes, Clock clock, URI target,
      List<Map.Entry<String, String>> headers, ObjectNode request) {
    this.relay = relay;
    this.hooks = hooks;
    this.attributes = attributes;
    this.clock = clock;
    this.target = target;
    this.headers = headers;
    this.conversation = request.deepCopy();
  }

  /** The event to pass on, rewritten for a follow-up round; null when it is held or dropped. */
  EventDispatch.Out onUpstreamEvent(EventDispatch.Out e) {
    turn.accept(e.name(), e.data());
    switch (e.name()) {
      case "message_start":
        return round == 0 ? e : null;
      case "message_delta":
        heldDelta = e;
        return null;
      case "message_stop":
        heldStop = e;
        return null;
      case "content_block_start":
      case "content_block_delta":
      case "content_block_stop":
        return round == 0 ? e : shifted(e);
      default:
        return e;
    }
  }

  private EventDispatch.Out shifted(EventDispatch.Out e) {
    ObjectNode json = Json.object(e.data());
    json.put("index", json.path("index").asInt() + blockOffset);
    String data = Json.string(json);
    return new EventDispatch.Out(e.name(), data, EventDispatch.encode(e.name(), data));
  }

  /** After a turn ended: the next request, when a hook returned follow-up messages; else null. */
  UpstreamRequest nextRound() {
    AssembledMessage t = turn.result();
    if (!t.complete() || round >= relay.maxFollowUps()) {
      return null;
    }
    List<ObjectNode> extra = ask(t.message());
    if (extra.isEmpty()) {
      return null;
    }
    usages.add(t.usage());
    endTurn(t);
    blockOffset += t.message().path("content").size();
    ArrayNode messages = conversation.withArray("messages");
    ObjectNode assistant = messages.addObject();
    assistant.put("role", "assistant");
    assistant.set("content", t.message().path("content").deepCopy());
    extra.forEach(messages::add);
    round++;
    turn = MessageAssembler.create(true);
    heldDelta = null;
    heldStop = null;
    byte[] body = Json.bytes(conversation);
    return new UpstreamRequest(target, headers, body, body.length);
  }

  /** Records the turn that just ended, for ExchangeRecord.turns() (only with follow-ups). */
  private void endTurn(AssembledMessage t) {
    long now = clock.since();
    turns.add(new TurnRecord(round, roundStart, now, t.message(), t.usage()));
    roundStart = now;
    attributes.put(ExchangeRecord.TURNS, List.copyOf(turns));
  }

  private List<ObjectNode> ask(ObjectNode message) {
    TurnContext ctx = new Turn(conversation, message, round, attributes);
    List<ObjectNode> extra = new ArrayList<>();
    for (Hook h : hooks) {
      Guard.run(h, HookPoint.FOLLOW_UP, () -> extra.addAll(h.onTurn(ctx)));
    }
    return extra;
  }

  /** The held final events, the delta carrying the usage summed over every round. */
  List<EventDispatch.Out> finalEvents() {
    List<EventDispatch.Out> events = new ArrayList<>(2);
    if (heldDelta != null) {
      if (round == 0) {
        events.add(heldDelta);
      } else {
        usages.add(turn.result().usage());
        endTurn(turn.result());
        ObjectNode delta = Json.object(heldDelta.data());
        delta.set("usage", Usage.sum(usages));
        String data = Json.string(delta);
        events.add(new EventDispatch.Out("message_delta", data,
            EventDispatch.encode("message_delta", data)));
      }
    }
    if (heldStop != null) {
      events.add(heldStop);
    }
    return events;
  }

  private record Turn(ObjectNode request, ObjectNode message, int round,
      Map<String, Object> attributes) implements TurnContext {}
}
