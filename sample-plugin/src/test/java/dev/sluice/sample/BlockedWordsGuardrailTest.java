package dev.sluice.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class BlockedWordsGuardrailTest {
  @Test
  void discoveredByServiceLoader_withTheInheritedRequestPointOnly() {
    Hook found = null;
    for (Hook h : ServiceLoader.load(Hook.class, getClass().getClassLoader())) {
      if (h.name().equals("blocked-words")) {
        found = h;
      }
    }
    assertThat(found).isInstanceOf(BlockedWordsGuardrail.class);
    assertThat(HookPoint.of(found)).containsExactly(HookPoint.REQUEST);
  }
}
