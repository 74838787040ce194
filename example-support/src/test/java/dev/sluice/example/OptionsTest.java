package dev.sluice.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line of both runnable example jars. */
class OptionsTest {

  @Test
  void noArgs_defaults() {
    Options options = Options.parse();

    assertThat(options.port()).isEqualTo(8080);
    assertThat(options.upstream()).isNull();
    assertThat(options.settings()).isEmpty();
    assertThat(options.diagnostics()).isFalse();
    assertThat(options.help()).isFalse();
  }

  @Test
  void diagnostics_isAFlag() {
    assertThat(Options.parse("--diagnostics", "--port", "0").diagnostics()).isTrue();
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--diagnostics=yes"))
        .withMessageContaining("--diagnostics takes no value");
  }

  @Test
  void metrics_isAFlagThatEnablesTheMicrometerHook() {
    assertThat(Options.parse("--metrics").metrics()).isTrue();
    assertThat(Options.parse().metrics()).isFalse();
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--metrics=yes"))
        .withMessageContaining("--metrics takes no value");
    assertThat(Options.parse("--metrics").effectiveSettings()).containsEntry("hooks", "micrometer");
    assertThat(Options.parse("--metrics", "--hooks", "usage-log").effectiveSettings())
        .containsEntry("hooks", "usage-log,micrometer");
    assertThat(Options.parse("--metrics", "--hooks", "micrometer,usage-log").effectiveSettings())
        .containsEntry("hooks", "micrometer,usage-log");
    assertThat(Options.parse("--metrics", "--hooks", "*").effectiveSettings())
        .containsEntry("hooks", "*");
    assertThat(Options.parse("--hooks", "usage-log").effectiveSettings())
        .containsEntry("hooks", "usage-log");
  }

  @Test
  void allArgs_spaceSeparated() {
    Options options =
        Options.parse("--port", "0", "--upstream", "https://api.anthropic.com", "--hooks", "a,b");

    assertThat(options.port()).isZero();
    assertThat(options.upstream()).isEqualTo(URI.create("https://api.anthropic.com"));
    assertThat(options.settings()).isEqualTo(Map.of("hooks", "a,b"));
  }

  @Test
  void allArgs_equalsSeparated() {
    Options options = Options.parse("--port=9090", "--upstream=http://127.0.0.1:1/", "--hooks=x");

    assertThat(options.port()).isEqualTo(9090);
    assertThat(options.upstream()).isEqualTo(URI.create("http://127.0.0.1:1/"));
    assertThat(options.settings()).containsEntry("hooks", "x");
  }

  @Test
  void modelAliases_spaceOrEqualsSeparated() {
    assertThat(Options.parse("--model-aliases", "a=b,c=d").settings())
        .isEqualTo(Map.of("model-aliases", "a=b,c=d"));
    assertThat(Options.parse("--model-aliases=x=y").settings())
        .isEqualTo(Map.of("model-aliases", "x=y"));
  }

  @Test
  void effectiveSettings_defaultModelAliasesWhenNotGiven() {
    assertThat(Options.parse("--hooks", "model-alias").effectiveSettings())
        .isEqualTo(Map.of("hooks", "model-alias", "model-aliases", "claude-fast=claude-haiku-4-5"));
    assertThat(Options.parse("--model-aliases", "a=b").effectiveSettings())
        .isEqualTo(Map.of("model-aliases", "a=b"));
    // Empty turns the default off: the filter reads a blank setting as unset.
    assertThat(Options.parse("--model-aliases=").effectiveSettings())
        .isEqualTo(Map.of("model-aliases", ""));
  }

  @Test
  void usage_mentionsHooksAndAliases() {
    assertThat(Options.usage("jetty-example")).contains("--hooks", "--model-aliases",
        "blocked-words", "claude-fast=claude-haiku-4-5");
  }

  @Test
  void usage_namesTheProgramsJar_andAlignsTheSecondLine() {
    String[] lines = Options.usage("tomcat-example").split(System.lineSeparator());

    assertThat(lines[0]).isEqualTo(
        "usage: java -jar tomcat-example.jar [--port N] [--upstream URL[,URL...]] [--hooks a,b]");
    assertThat(lines[1]).isEqualTo(
        "                                    [--model-aliases alias=model,...] [--diagnostics] "
            + "[--metrics]");
  }

  @Test
  void help_wins() {
    assertThat(Options.parse("--port", "1", "--help").help()).isTrue();
    assertThat(Options.parse("-h").help()).isTrue();
  }

  @Test
  void badPort_rejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--port", "x"))
        .withMessageContaining("--port");
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--port", "70000"));
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--port"))
        .withMessageContaining("needs a value");
  }

  @Test
  void badUpstream_rejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--upstream", "ftp://x"));
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--upstream", "nohost"));
  }

  @Test
  void upstreamList_firstIsTheUpstream_theListASetting() {
    Options options = Options.parse("--upstream", "https://a.example,https://b.example;weight=2");
    assertThat(options.upstream()).isEqualTo(URI.create("https://a.example"));
    assertThat(options.settings()).containsEntry("upstream",
        "https://a.example,https://b.example;weight=2");
    assertThat(Options.parse("--upstream", "https://a.example").settings())
        .doesNotContainKey("upstream");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Options.parse("--upstream", "https://a.example,ftp://b"));
  }

  @Test
  void unknownArg_rejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--verbose"))
        .withMessageContaining("unknown argument: --verbose");
  }
}
