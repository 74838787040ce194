package dev.sluice;

import dev.sluice.hook.Hook;

/** A provider that fails to load: the registry must log it and carry on. */
public final class ThrowingConstructorHook implements Hook {
  public ThrowingConstructorHook() {
    throw new IllegalStateException("broken plugin");
  }
}
