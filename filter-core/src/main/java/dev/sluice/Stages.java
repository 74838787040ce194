package dev.sluice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.assemble.AssembledMessage;
import dev.sluice.assemble.MessageAssembler;
import dev.sluice.hook.Headers;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.Outcome;
import dev.sluice.hook.ResponseContext;
import dev.sluice.sse.SseFrame;
import dev.sluice.sse.SseParser;
import dev.sluice.upstream.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hook pipeline of one exchange. It exists only when some hook is enabled, and builds only
 * the stages the enabled points need:
 * <ul>
 *   <li>only {@code COMPLETE} hooks: bytes go out untouched; a side parser assembles the record;</li>
 *   <li>{@code EVENT} (or {@code FOLLOW_UP}) hooks: events are framed, and dispatched to the
 *       hooks that asked for their name; an event nobody wants or changed goes out as its
 *       original bytes, and a chunk whose events all did goes out as the very buffers upstream
 *       handed over, with no copy and no allocation;</li>
 *   <li>non-streaming JSON: buffered only when an {@code EVENT} hook may rewrite it.</li>
 * </ul>
 * Called only under the exchange's lock, so it needs no synchronization of its own.
 */
final class Stages implements SseParser.Listener {
  enum Mode { PASS, STREAM_SIDE, STREAM_EVENTS, JSON_BUFFER, JSON_SIDE }

  /** What to send when upstream ended, and possibly a follow-up request to send next. */
  record End(List<ByteBuffer> out, UpstreamRequest followUp) {}

  private static final int MAX_JSON_BYTES = 64 * 1024 * 1024;

  private final Relay relay;
  private final HookRegistry hooks;
  private final String path;
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private final Clock clock = new Clock();
  private final RequestFacts facts = new RequestFacts();
  private Mode mode = Mode.PASS;
  private int status;
  private SseParser parser;
  private MessageAssembler record;
  private EventDispatch dispatch;
  private FollowUps followUps;
  private final List<EventDispatch.Out> out = new ArrayList<>();
  private ByteArrayOutputStream json;
  private List<ByteBuffer> sideQueue;
  private byte[] sideArray; // the usual side feed: one heap buffer, remembered without a copy
  private int sideFrom;
  private int sideLength;
  /** Events no hook changes keep their bytes in place (never with FOLLOW_UP hooks, nor legacy). */
  private boolean passThrough;
  private final ChunkOut chunk = new ChunkOut();
  private boolean upstreamErrorEvent;
  private String requestId = "";
  private Outcome endOutcome; // set by finish, under the exchange's lock
  private int endStatus;

  /** Pipelines built since start; a request with no hooks never builds one (tests check). */
  static final java.util.concurrent.atomic.AtomicLong CREATED =
      new java.util.concurrent.atomic.AtomicLong();

  Stages(Relay relay, String path) {
    CREATED.incrementAndGet();
    this.relay = relay;
    this.hooks = relay.hooks();
    this.path = path;
  }

  // ---- request ----

  /** What {@link #request} returns while a request hook is still working. */
  static final UpstreamRequest WAITING =
      new UpstreamRequest(URI.create("sluice:waiting"), List.of(), new byte[0], 0);

  private RequestStage request;
  private URI target;
  private Headers upstreamHeaders;

  /**
   * Runs request hooks and returns the request to send, null when a hook rejected it (then
   * {@link #rejection()} tells how to answer), or {@link #WAITING} while a hook's
   * {@code onRequestAsync} works: {@code onSettled} is then called, on the thread that completes
   * it, and {@link #resumeRequest()} goes on.
   */
  UpstreamRequest request(URI target, List<Map.Entry<String, String>> headers, byte[] body,
      int length, Runnable onSettled) {
    this.target = target;
    upstreamHeaders = Headers.mutableCopyOf(headers);
    facts.source(body, length);
    request = new RequestStage(path, body, length, upstreamHeaders, attributes, facts);
    if (hooks.isLegacy()) {
      request.editBody(); // the baseline parses and re-serializes every request
    }
    Hook[] at = hooks.requestHooks();
    return at.length == 0 ? upstreamRequest() : next(request.run(at, hooks, onSettled));
  }

  /** After {@code onSettled}: the parked hook's result, then the remaining hooks. */
  UpstreamRequest resumeRequest() {
    return next(request.resume());
  }

  /** request-hook-timeout passed while a hook worked. */
  UpstreamRequest requestHookTimedOut() {
    return next(request.timedOut());
  }

  private UpstreamRequest next(RequestStage.Step step) {
    switch (step) {
      case WAITING:
        return WAITING;
      case REJECTED:
        rejected = request;
        return null;
      default:
        return upstreamRequest();
    }
  }

  private UpstreamRequest upstreamRequest() {
    byte[] bytes = request.bodyBytes();
    int n = request.bodyLength(bytes);
    if (hooks.has(HookPoint.FOLLOW_UP) && facts.stream()) {
      followUps = new FollowUps(relay, hooks.at(HookPoint.FOLLOW_UP), attributes, target,
          upstreamHeaders.lines(), request.parsedOrNull() != null ? request.parsedOrNull()
          : Json.object(bytes, 0, n));
    }
    return new UpstreamRequest(target, upstreamHeaders.lines(), bytes, n);
  }

  private RequestStage rejected;

  RequestStage rejection() {
    return rejected;
  }

  // ---- response ----

  void onResponse(int status, List<Map.Entry<String, String>> headers, boolean eventStream) {
    this.status = status;
    clock.headers();
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equals("request-id")) {
        requestId = h.getValue();
      }
    }
    if (hooks.has(HookPoint.RESPONSE_START)) {
      Headers all = Headers.readOnly(headers);
      ResponseContext plain = new Head(status, all);
      ResponseContext redacted = new Head(status, all.redacted());
      for (Hook h : hooks.at(HookPoint.RESPONSE_START)) {
        ResponseContext ctx = hooks.readsCredentials(h) ? plain : redacted;
        Guard.run(h, HookPoint.RESPONSE_START, () -> h.onResponseStart(ctx));
      }
    }
    boolean message = path.equals("/v1/messages") && status >= 200 && status < 300;
    boolean events = hooks.has(HookPoint.EVENT) || followUps != null;
    boolean assemble = hooks.has(HookPoint.COMPLETE);
    if (!message || !events && !assemble) {
      mode = Mode.PASS;
    } else if (eventStream) {
      mode = events ? Mode.STREAM_EVENTS : Mode.STREAM_SIDE;
      parser = SseParser.create(this);
      record = assemble ? MessageAssembler.create(!hooks.isLegacy()) : null;
      dispatch = hooks.has(HookPoint.EVENT) ? new EventDispatch(hooks.events(),
          facts.model(), attributes, hooks.isLegacy()) : null;
      passThrough = !hooks.isLegacy() && followUps == null;
    } else {
      mode = hooks.has(HookPoint.EVENT) ? Mode.JSON_BUFFER : Mode.JSON_SIDE;
      json = new ByteArrayOutputStream();
    }
  }

  /** True when the body is held until its end, so its length is only known then. */
  boolean buffersBody() {
    return mode == Mode.JSON_BUFFER;
  }

  // ---- body ----

  /** What to write for this upstream chunk; may be empty, never null. */
  List<ByteBuffer> onChunk(List<ByteBuffer> data) {
    clock.firstByte();
    switch (mode) {
      case STREAM_EVENTS:
        if (passThrough) {
          return chunk.relay(data);
        }
        for (ByteBuffer b : data) {
          parser.feed(b);
        }
        return drainOut();
      case STREAM_SIDE: // parsed after the write: bytes are relayed first
        if (data.size() == 1 && data.get(0).hasArray()) {
          ByteBuffer b = data.get(0);
          sideArray = b.array();
          sideFrom = b.arrayOffset() + b.position();
          sideLength = b.remaining();
        } else {
          sideQueue = duplicates(data);
        }
        return data;
      case JSON_BUFFER:
        if (json.size() + remaining(data) > MAX_JSON_BYTES) {
          mode = Mode.PASS; // too large to rewrite: send what was held, then relay the rest
          List<ByteBuffer> all = new ArrayList<>();
          all.add(ByteBuffer.wrap(json.toByteArray()));
          all.addAll(data);
          json = null;
          return all;
        }
        capture(data, false);
        return List.of();
      case JSON_SIDE:
        capture(data, true);
        return data;
      default:
        return data;
    }
  }

  /** Feeds the side parser with what was just written (only-COMPLETE mode). */
  void afterWrite() {
    if (sideArray != null) {
      parser.feed(sideArray, sideFrom, sideLength);
      sideArray = null;
    }
    if (sideQueue != null) {
      for (ByteBuffer b : sideQueue) {
        parser.feed(b);
      }
      sideQueue = null;
    }
  }

  @Override
  public void onEvent(SseFrame frame) {
    String name = frame.name();
    if (name.equals("content_block_delta")) {
      clock.firstContent();
    } else if (name.equals("error")) {
      upstreamErrorEvent = true;
    }
    if (mode == Mode.STREAM_SIDE) {
      record.accept(frame);
      return;
    }
    if (passThrough) {
      chunk.onEvent(frame, name);
      return;
    }
    EventDispatch.Out event = new EventDispatch.Out(name, frame.data(), frame.raw());
    if (followUps != null) {
      event = followUps.onUpstreamEvent(event);
      if (event == null) {
        return; // held back or dropped by the follow-up stitcher
      }
    }
    emit(event);
  }

  private void emit(EventDispatch.Out event) {
    if (record != null) {
      record.accept(event.name(), event.data());
    }
    if (dispatch != null) {
      dispatch.dispatch(event.name(), event.data(), event.bytes(), out);
    } else {
      out.add(event);
    }
  }

  /** Upstream's body ended: what is left to send, and the follow-up request if a hook asked. */
  End onEnd() {
    List<ByteBuffer> tail = new ArrayList<>();
    switch (mode) {
      case STREAM_EVENTS:
      case STREAM_SIDE:
        afterWrite();
        parser.end();
        byte[] rest = parser.undispatched();
        if (followUps != null) {
          UpstreamRequest next = followUps.nextRound();
          if (next != null) {
            tail.addAll(drainOut());
            parser = SseParser.create(this);
            return new End(tail, next);
          }
          for (EventDispatch.Out held : followUps.finalEvents()) {
            emit(held);
          }
        }
        tail.addAll(drainOut());
        if (rest.length > 0 && mode == Mode.STREAM_EVENTS) {
          tail.add(ByteBuffer.wrap(rest)); // never dispatched, but never lost either
        }
        return new End(tail, null);
      case JSON_BUFFER:
        tail.add(ByteBuffer.wrap(rewriteJson(json.toByteArray())));
        return new End(tail, null);
      default:
        return new End(tail, null);
    }
  }

  private byte[] rewriteJson(byte[] body) {
    if (json == null) {
      return body;
    }
    String data = new String(body, StandardCharsets.UTF_8);
    List<EventDispatch.Out> result = new ArrayList<>();
    dispatch = new EventDispatch(hooks.events(), facts.model(), attributes,
        hooks.isLegacy());
    dispatch.dispatch("message", data, body, result);
    for (EventDispatch.Out o : result) {
      if (o.name().equals("message")) {
        body = o.bytes() == body ? body : o.data().getBytes(StandardCharsets.UTF_8);
        json.reset();
        json.writeBytes(body);
        return body;
      }
    }
    return body; // a hook dropped the message: a JSON response cannot lose its body
  }

  /** Upstream failed mid-body: whatever the pipeline still holds, to send before the error. */
  List<ByteBuffer> onCut() {
    List<ByteBuffer> rest = new ArrayList<>(drainOut());
    if (mode == Mode.STREAM_EVENTS) {
      byte[] tail = parser.undispatched();
      if (tail.length > 0) {
        rest.add(ByteBuffer.wrap(tail));
      }
      parser = SseParser.create(this); // the cut tail must not be dispatched later
    } else if (mode == Mode.JSON_BUFFER) {
      rest.add(ByteBuffer.wrap(json.toByteArray()));
      mode = Mode.PASS;
    }
    return rest;
  }

  // ---- end ----

  /**
   * The exchange ended (under its lock): stops the clock and remembers how it ended. Nothing
   * touches this pipeline after it; {@link #recordAfterEnd} then hands the record over.
   */
  void finish(Outcome outcome, int clientStatus) {
    clock.end();
    endOutcome = outcome;
    endStatus = clientStatus;
  }

  /**
   * Called once the client's response has been completed (outside the exchange's lock): builds
   * the exchange record and runs the completion hooks on the completion executor, so a hook
   * never runs before the client has its last byte, nor on an I/O thread.
   */
  void recordAfterEnd() {
    if (endOutcome == null || !hooks.has(HookPoint.COMPLETE)) {
      return;
    }
    Records.complete(relay, hooks.at(HookPoint.COMPLETE), this, endOutcome, endStatus);
  }

  // ---- for Records ----

  String path() {
    return path;
  }

  RequestFacts facts() {
    return facts;
  }

  Clock clock() {
    return clock;
  }

  Map<String, Object> attributes() {
    return attributes;
  }

  String requestId() {
    return requestId;
  }

  /** Sluice answered itself, with this id. */
  void answeredLocally(String id) {
    requestId = id;
  }

  int upstreamStatus() {
    return status;
  }

  boolean sawErrorEvent() {
    return upstreamErrorEvent;
  }

  /** The assembled message so far; null when nothing was assembled. */
  AssembledMessage assembled() {
    if (record != null) {
      return record.result();
    }
    return null;
  }

  /** The non-streaming body as sent, when it was captured; else null. */
  byte[] jsonBody() {
    return json == null || json.size() > MAX_JSON_BYTES ? null : json.toByteArray();
  }

  // ---- helpers ----

  private List<ByteBuffer> drainOut() {
    if (out.isEmpty()) {
      return List.of();
    }
    List<ByteBuffer> buffers = new ArrayList<>(out.size());
    for (EventDispatch.Out o : out) {
      buffers.add(ByteBuffer.wrap(o.bytes()));
    }
    out.clear();
    return buffers;
  }

  private void capture(List<ByteBuffer> data, boolean side) {
    for (ByteBuffer b : data) {
      ByteBuffer d = side ? b.duplicate() : b;
      if (json.size() + d.remaining() > MAX_JSON_BYTES) {
        continue; // too large to keep a side copy; the record goes without the message
      }
      byte[] copy = new byte[d.remaining()];
      d.get(copy);
      json.writeBytes(copy);
    }
  }

  private static long remaining(List<ByteBuffer> data) {
    long n = 0;
    for (ByteBuffer b : data) {
      n += b.remaining();
    }
    return n;
  }

  private static List<ByteBuffer> duplicates(List<ByteBuffer> data) {
    List<ByteBuffer> copies = new ArrayList<>(data.size());
    for (ByteBuffer b : data) {
      copies.add(b.duplicate());
    }
    return copies;
  }

  /**
   * One upstream chunk through the event hooks without copying what they leave alone. Frames are
   * contiguous in the stream, so an event's place in the chunk follows from the lengths of the
   * frames before it; the bytes of a run of unchanged events are handed on as a view of the
   * chunk's own array (the transport never reuses it), and the chunk's own buffers when every
   * event in them passed. Only bytes an event carried over from an earlier chunk are copied.
   */
  private final class ChunkOut {
    private List<ByteBuffer> in;
    private int inIndex;
    private List<ByteBuffer> result; // null while the output is exactly in[0, inIndex)
    private byte[] array;
    private int start; // the current buffer's first byte in array
    private int cursor; // where the next frame starts; below start while it begins in carried bytes
    private int runFrom; // first unchanged byte of the current buffer not yet in result

    List<ByteBuffer> relay(List<ByteBuffer> data) {
      in = data;
      result = null;
      for (inIndex = 0; inIndex < data.size(); inIndex++) {
        ByteBuffer b = data.get(inIndex);
        int n = b.remaining();
        if (b.hasArray()) {
          array = b.array();
          start = b.arrayOffset() + b.position();
        } else {
          array = new byte[n];
          b.duplicate().get(array);
          start = 0;
        }
        int carried = parser.undispatchedLength();
        cursor = start - carried;
        runFrom = start;
        parser.feed(array, start, n); // leaves b's position alone: it may go out as it is
        if (result == null && carried == 0 && cursor == start + n) {
          continue; // every byte of b was an event that passed
        }
        deviate();
        flushRun(cursor);
      }
      List<ByteBuffer> out = result == null ? data : result;
      in = null;
      result = null;
      array = null;
      return out;
    }

    void onEvent(SseFrame frame, String name) {
      int frameStart = cursor;
      int frameEnd = cursor + frame.rawLength();
      cursor = frameEnd;
      if (!dispatch.wants(name)) {
        if (record != null) {
          record.accept(frame);
        }
        keep(frame, frameStart);
        return;
      }
      String data = frame.data();
      byte[] raw = frame.raw();
      if (record != null) {
        record.accept(name, data);
      }
      if (dispatch.dispatch(name, data, raw, out)) {
        out.clear();
        keep(frame, frameStart);
        return;
      }
      deviate();
      flushRun(frameStart);
      for (EventDispatch.Out o : out) {
        result.add(ByteBuffer.wrap(o.bytes()));
      }
      out.clear();
      runFrom = frameEnd;
    }

    /** An event that goes out as it came: its bytes in this buffer stay in the run. */
    private void keep(SseFrame frame, int frameStart) {
      if (frameStart < start) { // it began in an earlier chunk: those bytes were held back
        deviate();
        result.add(ByteBuffer.wrap(frame.raw(), 0, start - frameStart));
      }
    }

    /** The output stops being the input buffers as they are. */
    private void deviate() {
      if (result == null) {
        result = new ArrayList<>(in.size() + 2);
        result.addAll(in.subList(0, inIndex));
      }
    }

    private void flushRun(int to) {
      if (to > runFrom) {
        result.add(ByteBuffer.wrap(array, runFrom, to - runFrom));
      }
      runFrom = Math.max(runFrom, to);
    }
  }

  private final class Head implements ResponseContext {
    private final int status;
    private final Headers headers;

    Head(int status, Headers headers) {
      this.status = status;
      this.headers = headers;
    }

    @Override
    public int status() {
      return status;
    }

    @Override
    public Headers headers() {
      return headers;
    }

    @Override
    public String model() {
      return facts.model();
    }

    @Override
    public boolean stream() {
      return facts.stream();
    }

    @Override
    public Map<String, Object> attributes() {
      return attributes;
    }
  }
}
