package dev.sluice.jettystandalone;

/** The stock distribution's ee10 environment ({@code ee10-deploy}): Jakarta Servlet 6.0. */
class JettyHomeEe10IT extends JettyHomeRelayIT {
  @Override
  String environment() {
    return "ee10";
  }

  @Override
  String servletApiJar() {
    return "jakarta.servlet-api-6.0.0.jar";
  }
}
