/* Saves the largest top-level window of $DISPLAY (the host's window; or the window given, "root"
 * for the whole screen) as PNG and prints how many pixels have the Emovox UI's background colour,
 * so the screenshot test can tell whether the UI was actually drawn.
 * Usage: x11_grab OUT.png [WINDOW_ID|root] */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cairo-xlib.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Without a window manager the host's window is a direct child of the root. */
static Window largest_child(Display *dpy, Window root) {
  Window r, p, *kids = NULL, best = root;
  unsigned n = 0;
  long best_area = 0;
  if (!XQueryTree(dpy, root, &r, &p, &kids, &n))
    return root;
  for (unsigned i = 0; i < n; i++) {
    XWindowAttributes wa;
    if (XGetWindowAttributes(dpy, kids[i], &wa) && wa.map_state == IsViewable &&
        (long)wa.width * wa.height > best_area) {
      best_area = (long)wa.width * wa.height;
      best = kids[i];
    }
  }
  if (kids)
    XFree(kids);
  return best;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help")) {
    printf("usage: x11_grab OUT.png [WINDOW_ID|root]\n"
           "Writes the X window (default: the largest top-level window of $DISPLAY) to OUT.png\n"
           "and prints\n"
           "'background_pixels N': the pixels with the Emovox UI's background colour.\n");
    return argc < 2 ? 2 : 0;
  }
  Display *dpy = XOpenDisplay(NULL);
  if (!dpy) {
    fprintf(stderr, "x11_grab: cannot open display '%s'\n", getenv("DISPLAY"));
    return 1;
  }
  Window win = DefaultRootWindow(dpy);
  if (argc > 2 && strcmp(argv[2], "root"))
    win = (Window)strtoul(argv[2], NULL, 0);
  else if (argc <= 2)
    win = largest_child(dpy, win);
  XWindowAttributes wa;
  if (!XGetWindowAttributes(dpy, win, &wa)) {
    fprintf(stderr, "x11_grab: no such window\n");
    return 1;
  }
  cairo_surface_t *xs = cairo_xlib_surface_create(dpy, win, wa.visual, wa.width, wa.height);
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wa.width, wa.height);
  cairo_t *cr = cairo_create(img);
  cairo_set_source_surface(cr, xs, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(img);
  long bg = 0;
  const unsigned char *d = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  for (int y = 0; y < wa.height; y++)
    for (int x = 0; x < wa.width; x++) {
      unsigned v = *(const unsigned *)(d + (size_t)y * stride + 4 * (size_t)x) & 0xffffff;
      bg += v == 0x17191e;
    }
  cairo_status_t st = cairo_surface_write_to_png(img, argv[1]);
  printf("background_pixels %ld\n", bg);
  cairo_surface_destroy(img);
  cairo_surface_destroy(xs);
  XCloseDisplay(dpy);
  if (st != CAIRO_STATUS_SUCCESS) {
    fprintf(stderr, "x11_grab: cannot write %s: %s\n", argv[1], cairo_status_to_string(st));
    return 1;
  }
  return 0;
}
