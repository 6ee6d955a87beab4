// The one-image figures' images: session.one_image's pixel probabilities (x, the decoder's images of
// mu and of z, the cloud's first draws) as the textures the Input, z = μ + σ ⊙ ε and map panels draw.
#include "app/panels/panels.h"

void one_image_view_update(AppState& app) {
  const OneImage& o = app.session.one_image;
  OneImageView& v = app.one_image_view;
  if (v.serial == o.serial || !o.ready) return;
  v.serial = o.serial;
  const long long version = app.session.version;
  const double now = app.session.now;
  grid_show(&v.input, o.x, 1, 1, version, now);
  grid_show(&v.decoded_mu, o.decoded_mu, 1, 1, version, now);
  grid_show(&v.decoded_z, o.decoded_z, 1, 1, version, now);
  grid_show(&v.cloud, o.cloud, kCloudStrip, 1, version, now);
}
