package dev.sluice;

/** Found through test resources' META-INF/services; extends an abstract base like a plugin. */
public final class DiscoveredTestHook extends HookRegistryTest.GuardrailBase {
  public DiscoveredTestHook() {}
}
