package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.hook.EventContext;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.RequestContext;
import dev.sluice.hook.HookSettings;
import dev.sluice.testkit.LogCapture;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HookRegistryTest {
  /** A plugin base class that overrides a point for its subclasses. */
  abstract static class GuardrailBase implements Hook {
    @Override
    public void onRequest(RequestContext request) {}
  }

  static final class InheritsFromBase extends GuardrailBase {}

  /** A sub-interface that implements a point with a default method. */
  interface AuditingHook extends Hook {
    @Override
    default void onComplete(ExchangeRecord record) {}
  }

  static final class InheritsFromInterface implements AuditingHook {}

  static final class Plain implements Hook {}

  static final class Events implements Hook {
    @Override
    public void onEvent(EventContext event) {}

    @Override
    public int priority() {
      return -1;
    }
  }

  @Test
  void overrideDetection_seesInheritedOverrides() {
    assertThat(HookPoint.of(new InheritsFromBase())).containsExactly(HookPoint.REQUEST);
    assertThat(HookPoint.of(new InheritsFromInterface())).containsExactly(HookPoint.COMPLETE);
    assertThat(HookPoint.of(new Plain())).isEmpty();
    assertThat(HookPoint.of(Hook.NONE)).isEmpty();
  }

  @Test
  void perPointArrays_holdOnlyOverridingHooks_inPriorityThenNameOrder() {
    HookRegistry r = HookRegistry.of(List.of(new Plain(), new InheritsFromBase(), new Events()));
    assertThat(r.at(HookPoint.REQUEST)).hasSize(1);
    assertThat(r.at(HookPoint.EVENT)).hasSize(1);
    assertThat(r.has(HookPoint.COMPLETE)).isFalse();
    assertThat(r.hooks()).extracting(Hook::name)
        .containsExactly("events", "inherits-from-base", "plain");
    assertThat(r.toString()).contains("inherits-from-base[REQUEST]").contains("events[EVENT]");
  }

  @Test
  void noHooks_isTheSharedEmptyRegistry() {
    assertThat(HookRegistry.of(List.of())).isSameAs(HookRegistry.EMPTY);
    assertThat(HookRegistry.load(getClass().getClassLoader(), List.of()))
        .isSameAs(HookRegistry.EMPTY);
    assertThat(HookRegistry.EMPTY.toString()).contains("pure byte relay");
  }

  @Test
  void serviceLoader_findsBuiltInsAndPlugins_skipsBrokenProviders() {
    // test resources list a provider class that does not exist and one whose constructor throws
    HookRegistry r = HookRegistry.load(getClass().getClassLoader(),
        List.of("usage-log", "model-alias", "discovered-test-hook"));
    assertThat(r.hooks()).extracting(Hook::name)
        .containsExactly("discovered-test-hook", "model-alias", "usage-log");
    assertThat(HookPoint.of(r.hooks().get(0))).containsExactly(HookPoint.REQUEST);
  }

  @Test
  void allowList_star_enablesEveryDiscoveredHook() {
    HookRegistry r = HookRegistry.load(getClass().getClassLoader(), List.of("*"));
    assertThat(r.hooks()).extracting(Hook::name).contains("usage-log", "cost-in-usage",
        "model-alias", "strip-empty-text", "discovered-test-hook");
  }

  @Test
  void unknownHookName_failsStartListingWhatExists() {
    assertThatThrownBy(() -> HookRegistry.load(getClass().getClassLoader(), List.of("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'hooks'").hasMessageContaining("'nope'")
        .hasMessageContaining("usage-log");
  }

  @Test
  void defaultName_isKebabCaseOfTheClass() {
    assertThat(new InheritsFromBase().name()).isEqualTo("inherits-from-base");
    assertThat(Hook.NONE.toString()).isEqualTo("Hook.NONE");
  }

  // ---- plugin calls at start are isolated: a failure names the plugin ----

  @Test
  void discovery_skipsAHookWhoseNameThrows_namingItsClass() {
    try (LogCapture logs = LogCapture.start()) {
      HookRegistry r = HookRegistry.load(getClass().getClassLoader(), List.of("*"));
      assertThat(r.hooks()).extracting(Hook::name).contains("usage-log", "discovered-test-hook");
      assertThat(logs.text()).contains("Skipping hook dev.sluice.ThrowingNameHook")
          .contains("no name today");
    }
  }

  @Test
  void aGivenHookWhosePriorityThrows_failsStartNamingItsClass() {
    Hook broken = new Hook() {
      @Override
      public int priority() {
        throw new NullPointerException("config not loaded");
      }
    };
    assertThatThrownBy(() -> HookRegistry.of(List.of(new Plain(), broken)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(broken.getClass().getName()).hasMessageContaining("priority()")
        .hasMessageContaining("config not loaded");
  }

  @Test
  void aHookWhoseConfigureThrows_failsStartNamingIt_andLaterHooksAreNotConfigured() {
    AtomicInteger configured = new AtomicInteger();
    Hook broken = new Hook() {
      @Override
      public String name() {
        return "a-broken-auth";
      }

      @Override
      public void configure(HookSettings settings) {
        throw new NullPointerException("key store missing");
      }
    };
    Hook later = new Hook() {
      @Override
      public String name() {
        return "b-later";
      }

      @Override
      public void configure(HookSettings settings) {
        configured.incrementAndGet();
      }
    };
    HookRegistry r = HookRegistry.of(List.of(later, broken));
    assertThatThrownBy(() -> r.configure(name -> null, dev.sluice.cost.Pricing.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Hook 'a-broken-auth' (" + broken.getClass().getName() + ")")
        .hasMessageContaining("failed to configure").hasMessageContaining("key store missing");
    assertThat(configured).hasValue(0);
  }

  @Test
  void aFatalErrorAtStart_isNotWrapped() {
    Hook oom = new Hook() {
      @Override
      public String name() {
        throw new OutOfMemoryError("simulated");
      }
    };
    assertThatThrownBy(() -> HookRegistry.of(List.of(oom))).isInstanceOf(OutOfMemoryError.class);
  }
}
