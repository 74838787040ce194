package dev.sluice.jettystandalone;

/**
 * Jetty 12's ee11 environment: Jakarta Servlet 6.1 ({@code jakarta.servlet-api-6.1.0} on the
 * server), what {@code ee11-deploy} serves, with the same WAR, built against the 6.0 API.
 */
class Ee11StandaloneJettyIT extends StandaloneJettyRelayIT {
  @Override
  String environment() {
    return "ee11";
  }

  @Override
  String servletApiJar() {
    return "jakarta.servlet-api-6.1.0.jar";
  }
}
