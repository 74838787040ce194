package dev.sluice.opentelemetry;

import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The GenAI semantic-convention names Sluice emits. They are incubating, so they are copied here
 * rather than taken from {@code opentelemetry-semconv-incubating} at run time (the semconv
 * project's advice for libraries); {@code GenAiNamesTest} checks each against that artifact.
 * Stable names ({@code server.address}, {@code error.type}) come from {@code opentelemetry-semconv}.
 */
final class GenAi {
  private GenAi() {}

  static final AttributeKey<String> OPERATION_NAME = stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER_NAME = stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
  static final AttributeKey<Long> REQUEST_MAX_TOKENS = longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Boolean> REQUEST_STREAM = booleanKey("gen_ai.request.stream");
  static final AttributeKey<String> RESPONSE_MODEL = stringKey("gen_ai.response.model");
  static final AttributeKey<String> RESPONSE_ID = stringKey("gen_ai.response.id");
  static final AttributeKey<List<String>> RESPONSE_FINISH_REASONS =
      stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Double> RESPONSE_TIME_TO_FIRST_CHUNK =
      doubleKey("gen_ai.response.time_to_first_chunk");
  static final AttributeKey<Long> USAGE_INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> USAGE_OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> USAGE_CACHE_READ_INPUT_TOKENS =
      longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Long> USAGE_CACHE_CREATION_INPUT_TOKENS =
      longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<String> TOKEN_TYPE = stringKey("gen_ai.token.type");
  /** Opt-in (content capture): the request's messages and system prompt, as JSON. */
  static final AttributeKey<String> INPUT_MESSAGES = stringKey("gen_ai.input.messages");
  static final AttributeKey<String> SYSTEM_INSTRUCTIONS = stringKey("gen_ai.system_instructions");
  /** Opt-in (content capture): the assembled response message, as JSON. */
  static final AttributeKey<String> OUTPUT_MESSAGES = stringKey("gen_ai.output.messages");

  static final String CHAT = "chat";
  static final String ANTHROPIC = "anthropic";
  static final String INPUT = "input";
  static final String OUTPUT = "output";

  static final String TOKEN_USAGE = "gen_ai.client.token.usage";
  static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
  static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";

  /** The convention's advice for {@link #TOKEN_USAGE}. */
  static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L,
      65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L);
  /** The convention's advice for {@link #OPERATION_DURATION}, also used for time to first chunk. */
  static final List<Double> SECONDS_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64,
      1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  // Sluice's own, under its namespace.
  static final AttributeKey<String> OUTCOME = stringKey("sluice.outcome");
  static final AttributeKey<Boolean> PARTIAL = booleanKey("sluice.partial");
  static final AttributeKey<Double> COST = doubleKey("sluice.cost_usd");
  static final AttributeKey<String> REQUEST_ID = stringKey("sluice.request_id");
  static final AttributeKey<Long> STATUS = longKey("sluice.status");
  static final AttributeKey<String> PATH = stringKey("sluice.path");
  /** On a turn's child span: 0 for upstream's first answer, then 1, 2, … per follow-up. */
  static final AttributeKey<Long> ROUND = longKey("sluice.round");
  /** On the exchange's span when follow-ups were made: how many. */
  static final AttributeKey<Long> FOLLOW_UPS = longKey("sluice.follow_ups");
  /** With failover or retries: how many tries at upstream entries, and the last one's host. */
  static final AttributeKey<Long> ATTEMPTS = longKey("sluice.attempts");
  static final AttributeKey<String> UPSTREAM = stringKey("sluice.upstream");
  static final String EXCHANGES = "sluice.exchanges";
  static final String ACTIVE = "sluice.exchanges.active";
}
