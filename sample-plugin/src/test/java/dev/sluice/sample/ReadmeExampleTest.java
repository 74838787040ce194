package dev.sluice.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README's "complete plugin" is this module's source, verbatim: the example always compiles. */
class ReadmeExampleTest {
  @Test
  void readmeShowsThisModulesSourceVerbatim() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String file : new String[] {"AbstractGuardrail.java", "BlockedWordsGuardrail.java"}) {
      String source = Files.readString(Path.of("src/main/java/dev/sluice/sample", file)).strip();
      assertThat(readme).as(file).contains("```java\n" + source + "\n```");
    }
    String service = Files.readString(
        Path.of("src/main/resources/META-INF/services/dev.sluice.hook.Hook")).strip();
    assertThat(readme).contains("```\n" + service + "\n```");
  }
}
