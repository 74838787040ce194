package dev.sluice.jettystandalone;

/** Jetty 12's ee10 environment: Jakarta Servlet 6.0, what {@code ee10-deploy} serves. */
class Ee10StandaloneJettyIT extends StandaloneJettyRelayIT {
  @Override
  String environment() {
    return "ee10";
  }

  @Override
  String servletApiJar() {
    return "jakarta.servlet-api-6.0.0.jar";
  }
}
