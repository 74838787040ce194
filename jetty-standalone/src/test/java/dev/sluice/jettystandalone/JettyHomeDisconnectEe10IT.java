package dev.sluice.jettystandalone;

/** {@link JettyHomeDisconnectIT} in the stock distribution's ee10 environment (module {@code sluice-disconnect-ee10}). */
class JettyHomeDisconnectEe10IT extends JettyHomeDisconnectIT {
  JettyHomeDisconnectEe10IT() {
    super("ee10");
  }
}
