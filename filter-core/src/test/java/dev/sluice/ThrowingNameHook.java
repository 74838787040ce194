package dev.sluice;

import dev.sluice.hook.Hook;

/** A provider whose name() throws: discovery must skip it, naming its class, and carry on. */
public final class ThrowingNameHook implements Hook {
  @Override
  public String name() {
    throw new IllegalStateException("no name today");
  }
}
