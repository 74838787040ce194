package dev.sluice.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiProviderNameIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiTokenTypeIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingMetrics;
import org.junit.jupiter.api.Test;

/** The GenAI names copied into {@link GenAi} are the published semantic conventions' names. */
class GenAiNamesTest {
  @Test
  void attributesMatchTheIncubatingArtifact() {
    assertThat(GenAi.OPERATION_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME);
    assertThat(GenAi.PROVIDER_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME);
    assertThat(GenAi.REQUEST_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL);
    assertThat(GenAi.REQUEST_MAX_TOKENS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS);
    assertThat(GenAi.REQUEST_STREAM).isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_STREAM);
    assertThat(GenAi.RESPONSE_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL);
    assertThat(GenAi.RESPONSE_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_ID);
    assertThat(GenAi.RESPONSE_FINISH_REASONS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS);
    assertThat(GenAi.RESPONSE_TIME_TO_FIRST_CHUNK)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
    assertThat(GenAi.USAGE_INPUT_TOKENS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS);
    assertThat(GenAi.USAGE_OUTPUT_TOKENS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS);
    assertThat(GenAi.USAGE_CACHE_READ_INPUT_TOKENS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS);
    assertThat(GenAi.USAGE_CACHE_CREATION_INPUT_TOKENS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS);
    assertThat(GenAi.TOKEN_TYPE).isEqualTo(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE);
  }

  @Test
  void valuesAndMetricNamesMatchTheIncubatingArtifact() {
    assertThat(GenAi.CHAT).isEqualTo(GenAiOperationNameIncubatingValues.CHAT);
    assertThat(GenAi.ANTHROPIC).isEqualTo(GenAiProviderNameIncubatingValues.ANTHROPIC);
    assertThat(GenAi.INPUT).isEqualTo(GenAiTokenTypeIncubatingValues.INPUT);
    assertThat(GenAi.OUTPUT).isEqualTo(GenAiTokenTypeIncubatingValues.OUTPUT);
    assertThat(GenAi.TOKEN_USAGE).isEqualTo(GenAiIncubatingMetrics.GEN_AI_CLIENT_TOKEN_USAGE_NAME);
    assertThat(GenAi.OPERATION_DURATION)
        .isEqualTo(GenAiIncubatingMetrics.GEN_AI_CLIENT_OPERATION_DURATION_NAME);
    assertThat(GenAi.TIME_TO_FIRST_CHUNK)
        .isEqualTo(GenAiIncubatingMetrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK_NAME);
  }
}
