// Grayscale textures for the digit grids (see gl_texture.h).
#include "app/platform/gl_texture.h"

#include <cassert>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#include <GL/gl.h>
#include <GL/glext.h>
#endif

static unsigned long long g_texture_changes = 0;

unsigned long long texture_changes() { return g_texture_changes; }

void texture_upload(GrayTexture* t, const uint8_t* pixels, int width, int height) {
  assert(width > 0 && height > 0);
  ++g_texture_changes;
  GLint last_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  if (t->id == 0) {
    GLuint id = 0;
    glGenTextures(1, &id);
    t->id = id;
    glBindTexture(GL_TEXTURE_2D, id);
    // enlarged: nearest, so pixels stay crisp squares; shrunk (a dense map): averaged, not aliased
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
#ifndef __EMSCRIPTEN__
    const GLint swizzle[4] = {GL_RED, GL_RED, GL_RED, GL_ONE};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
#endif
  } else {
    glBindTexture(GL_TEXTURE_2D, t->id);
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
#ifdef __EMSCRIPTEN__
  const GLint internal = GL_LUMINANCE;
  const GLenum format = GL_LUMINANCE;
#else
  const GLint internal = GL_R8;
  const GLenum format = GL_RED;
#endif
  if (width == t->width && height == t->height)
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, format, GL_UNSIGNED_BYTE, pixels);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, internal, width, height, 0, format, GL_UNSIGNED_BYTE, pixels);
  t->width = width;
  t->height = height;
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
}

void texture_free(GrayTexture* t) {
  ++g_texture_changes;
  if (t->id != 0) {
    GLuint id = t->id;
    glDeleteTextures(1, &id);
  }
  *t = GrayTexture();
}
