package dev.sluice.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode usage(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void shippedTable_datedIdsFindTheirFamily_everyUsageFieldCountedOnce() throws Exception {
    Pricing p = Pricing.defaults();
    assertThat(p.knows("claude-sonnet-4-5-20250929")).isTrue();
    assertThat(p.knows("gpt-4o")).isFalse();
    assertThat(p.cost("gpt-4o", usage("{\"input_tokens\":1}"))).isNaN();
    // Sonnet 4.5: $3 in, $15 out, $3.75 5-minute write, $6 1-hour write, $0.30 read per MTok.
    double c = p.cost("claude-sonnet-4-5-20250929", usage("{\"input_tokens\":1000000,"
        + "\"output_tokens\":1000000,\"cache_read_input_tokens\":1000000,"
        + "\"cache_creation_input_tokens\":3000000,\"cache_creation\":{"
        + "\"ephemeral_5m_input_tokens\":1000000,\"ephemeral_1h_input_tokens\":2000000},"
        + "\"server_tool_use\":{\"web_search_requests\":3}}"));
    assertThat(c).isCloseTo(3 + 15 + 0.30 + 3.75 + 2 * 6 + 3 * 0.01, org.assertj.core.data.Offset
        .offset(1e-9));
  }

  @Test
  void pricingFile_overlaysTheShippedTable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"web_search_per_1k\": 20.0, \"models\": {"
        + "\"my-finetune\": {\"input\": 1.0, \"output\": 2.0},"
        + "\"claude-sonnet-4-5\": {\"input\": 100.0, \"output\": 200.0}}}");
    Pricing p = Pricing.withOverrides(file);
    assertThat(p.cost("my-finetune-v2", usage("{\"input_tokens\":1000000,"
        + "\"output_tokens\":1000000}"))).isEqualTo(3.0);
    assertThat(p.cost("claude-sonnet-4-5", usage("{\"output_tokens\":1000000}")))
        .isEqualTo(200.0);
    assertThat(p.cost("claude-opus-4-5", usage("{\"output_tokens\":1000000}")))
        .as("not overridden: shipped price").isEqualTo(25.0);
    assertThat(p.cost("claude-opus-4-5", usage("{\"server_tool_use\":"
        + "{\"web_search_requests\":1000}}"))).isEqualTo(20.0);
    assertThatThrownBy(() -> Pricing.withOverrides(dir.resolve("missing.json")))
        .isInstanceOf(NoSuchFileException.class);
  }
}
