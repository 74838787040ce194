package dev.sluice.jettystandalone;

/** The stock distribution's ee10 environment ({@code ee10-deploy}): Jakarta Servlet 6.0. */
class JettyHomeEe10IT extends JettyHomeRelayIT {
  JettyHomeEe10IT() {
    super("ee10");
  }
}
