package dev.sluice.jettystandalone;

/** {@link JettyHomeDisconnectIT} in the stock distribution's ee11 environment (module {@code sluice-disconnect-ee11}). */
class JettyHomeDisconnectEe11IT extends JettyHomeDisconnectIT {
  JettyHomeDisconnectEe11IT() {
    super("ee11");
  }
}
