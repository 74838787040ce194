package dev.sluice.hook;

/**
 * The filter's settings, for hooks that take their own (such as {@code model-aliases}). A name
 * {@code x} is looked up like every Sluice setting: system property {@code sluice.x}, environment
 * variable {@code SLUICE_X}, filter init-param {@code x}, context init-param {@code sluice.x};
 * {@code upstream} reads the filter's effective upstream, also when its config was given in code
 * (a telemetry hook names the server it reports on). A framework that resolves settings itself
 * (the Spring Boot starter: property {@code sluice.x} in Boot's own order) passes its own source
 * to {@code SluiceFilter.create}.
 */
public interface HookSettings {
  /** The value, or "" when unset. */
  String get(String name);

  HookSettings EMPTY = name -> "";
}
