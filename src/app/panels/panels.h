// The app's panels, one function each (one file each): each reads the session and its own state,
// and calls the session's actions. Plus the few things two panels share.
#pragma once
#include "app/app.h"
#include "app/ui/layout.h"
#include "app/ui/widgets.h"
#include "imgui.h"

void panel_sample(AppState& app);       // panel_sample.cpp
void panel_interpolate(AppState& app);  // panel_interpolate.cpp
void panel_latent_map(AppState& app);   // panel_latent_map.cpp
void panel_input(AppState& app);        // panel_input.cpp: the drawing pad and the inspected input
void panel_train(AppState& app);        // panel_train.cpp
void panel_model(AppState& app);        // panel_model.cpp
void panel_encoder(AppState& app);      // panel_encoder.cpp: q(z|x), mu +- sigma per dimension
void panel_reparam(AppState& app);      // panel_reparam.cpp: z = mu + sigma * eps
void panel_elbo(AppState& app);         // panel_elbo.cpp: the ELBO of one image and log p(x)
void panel_compare(AppState& app);      // panel_compare.cpp: autoencoder vs VAE
void panel_step(AppState& app);         // panel_step.cpp: one training step in slow motion
void panel_weights(AppState& app);      // panel_weights.cpp: the first and last layers' weights as images
void panel_posterior(AppState& app);    // panel_posterior.cpp: the true posterior, q fitted alone, the gap's split

// Sets interpolation endpoint `which` (0 = A, 1 = B) to a code chosen elsewhere (a sample, the pad).
void endpoint_set_custom(AppState& app, int which, const Vec& z, const std::string& label);
// Brings endpoints up to date with the model (and their sources); used by the map too.
void endpoints_update(AppState& app);
// The interpolation path at t.
Vec interp_point(const AppState& app, float t);
// Redraws the latent map's grid of decoded digits (also the benchmark's unit of work).
void latent_map_redraw(AppState& app);
// The map's holes (latent_map_holes.cpp), when the map shows them: brought up to date with the codes
// and the plane, drawn over the square at `at`, `side` wide.
void latent_map_holes(AppState& app, ImVec2 at, float side, ImDrawList* dl);
// Forgets the point under the mouse (and its image): the model or the plane changed.
void latent_map_forget_probe(AppState& app);
// The one-image figures' images (app.one_image_view) follow the session's figures (one_image_view.cpp).
void one_image_view_update(AppState& app);
// The Input panel's caption: what to draw, for the dataset shown.
std::string input_caption(const AppState& app);
// The compare panel's models (panel_compare.cpp): the shipped pair when first shown, trained both live.
void compare_frame_steps(AppState& app);
// A weights file for side `side` of the comparison (0: autoencoder, 1: VAE) arrived.
bool compare_load_weights(AppState& app, int side, const uint8_t* bytes, size_t size, const std::string& source);
// A test image's number chooser: index, class, previous/next of the class; true when it changed.
bool test_image_chooser(AppState& app, const char* id, int* index, int* cls);
