package dev.sluice.jettystandalone;

/** Jetty 12's ee10 environment: Jakarta Servlet 6.0, what {@code ee10-deploy} serves. */
class Ee10StandaloneJettyIT extends StandaloneJettyRelayIT {
  Ee10StandaloneJettyIT() {
    super("ee10");
  }
}
