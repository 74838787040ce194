# Sluice: notice an HTTP/1.1 client that leaves, within milliseconds (sluice-disconnect-jetty).

[description]
Lets Sluice (dev.sluice.SluiceFilter) in ee11 web apps see at once an HTTP/1.1 client that closes
its connection while Sluice waits on upstream, so that the upstream request is cancelled at
once. Puts sluice-disconnect-jetty and filter-core on the ee11 environment's class path (the
detector needs Jetty's ee11 classes, which web apps cannot see) and makes the detector SPI package
(dev.sluice.client.) a protected class for web apps, so that the web app's own filter-core and
the detector share it.

[environment]
ee11

[tags]
sluice

[depend]
ee11-servlet
ee-webapp

[lib]
lib/sluice/*.jar

[ini]
jetty.webapp.addProtectedClasses+=,dev.sluice.client.
