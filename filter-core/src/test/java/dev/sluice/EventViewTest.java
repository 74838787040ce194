package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventViewTest {
  @Test
  void textDelta_accessorsShareOneScan_theTreeOnlyWhenAsked() {
    EventView e = new EventView("content_block_delta", "{\"type\":\"content_block_delta\","
        + "\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"h\\u00e9 \\\"q\\\"\"}}");
    long before = Json.USES.get();
    assertThat(e.name()).isEqualTo("content_block_delta");
    assertThat(Json.USES.get()).as("the name needs no JSON").isEqualTo(before);
    assertThat(e.type()).isEqualTo("content_block_delta");
    assertThat(e.index()).isEqualTo(3);
    assertThat(e.deltaType()).isEqualTo("text_delta");
    assertThat(e.text()).isEqualTo("hé \"q\"");
    assertThat(Json.USES.get() - before).as("one scan for all four").isEqualTo(1);
    assertThat(e.json().path("delta").path("text").asText()).isEqualTo("hé \"q\"");
    assertThat(e.json()).as("cached").isSameAs(e.json());
  }

  @Test
  void otherShapes_readAsDocumented() {
    EventView ping = new EventView("ping", "{\"type\": \"ping\"}");
    assertThat(ping.type()).isEqualTo("ping");
    assertThat(ping.index()).isEqualTo(-1);
    assertThat(ping.deltaType()).isEmpty();
    assertThat(ping.text()).isEmpty();

    EventView json = new EventView("content_block_delta", "{\"delta\":{\"partial_json\":"
        + "\"{\\\"a\\\":1}\",\"type\":\"input_json_delta\"},\"index\":1,"
        + "\"type\":\"content_block_delta\"}");
    assertThat(json.deltaType()).isEqualTo("input_json_delta");
    assertThat(json.text()).as("only text_delta has text").isEmpty();
    assertThat(json.index()).isEqualTo(1);

    EventView broken = new EventView("message_start", "{\"type\":\"message_st");
    assertThat(broken.type()).isEmpty();
    assertThat(broken.index()).isEqualTo(-1);
    assertThat(broken.json()).isEmpty();
  }
}
