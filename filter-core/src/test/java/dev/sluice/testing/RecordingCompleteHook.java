package dev.sluice.testing;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.testkit.HookRecords;

/**
 * A complete-hook that hands every {@link ExchangeRecord} to testkit's {@link HookRecords}, where
 * the container contract suites read it. Shipped in filter-core's test-jar only; a module that
 * wants it lists this class in its test resources' {@code META-INF/services/dev.sluice.hook.Hook},
 * and it runs only where {@code hooks} names {@value HookRecords#HOOK_NAME} (discovery alone
 * enables nothing).
 */
public final class RecordingCompleteHook implements Hook {

  @Override
  public String name() {
    return HookRecords.HOOK_NAME;
  }

  @Override
  public void onComplete(ExchangeRecord r) {
    HookRecords.add(new HookRecords.Entry(r.requestId(), r.path(), r.status(), r.outcome().name(),
        r.partial(), r.usage(), r.message(), r.attempts().stream()
            .map(a -> new HookRecords.Attempt(a.upstream(), a.key(), a.status(), a.error(),
                a.ending().name()))
            .toList()));
  }
}
