package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A COMPLETE-only hook that queues the records it receives. */
class RecordingHook implements Hook {
  final BlockingQueue<ExchangeRecord> records = new LinkedBlockingQueue<>();

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public void onComplete(ExchangeRecord record) {
    records.add(record);
  }

  ExchangeRecord next() throws InterruptedException {
    ExchangeRecord r = records.poll(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r).as("an exchange record").isNotNull();
    return r;
  }

  void assertExhausted() throws InterruptedException {
    assertThat(records.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
