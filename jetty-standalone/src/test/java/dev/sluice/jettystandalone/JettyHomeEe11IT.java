package dev.sluice.jettystandalone;

/**
 * The stock distribution's ee11 environment ({@code ee11-deploy}, Jetty 12.1 on): Jakarta Servlet
 * 6.1, with the same WAR, built against the 6.0 API.
 */
class JettyHomeEe11IT extends JettyHomeRelayIT {
  JettyHomeEe11IT() {
    super("ee11");
  }
}
