/* Saves the largest top-level window of $DISPLAY (the host's window; or the window given, "root"
 * for the whole screen) as PNG and prints how many pixels have the Emovox UI's background colour,
 * so the screenshot test can tell whether the UI was actually drawn. When the Emovox UI's own
 * window (WM_NAME "Emovox") is inside, it also reads that window's pixels against the meter's
 * layout (emovox_layout_compute at its size), so the test can tell whether values reached it:
 *   ui_window X Y W H          where the UI sits in the grabbed window (or "ui_window none")
 *   bar_pixels N               pixels of the eight bars in their emotion's full colour (the bars
 *                              are empty until probabilities arrive, and dimmed without a model)
 *   dominant NAME N            the palette colour most present in the dominant word's area and
 *                              its pixel count ("dominant none 0": grey, i.e. "no speech")
 *   history_pixels N           pixels of the history in an emotion's colour (a column is drawn
 *                              only for 100 ms ticks in which a dominant emotion had arrived)
 * Usage: x11_grab [--scale S] OUT.png [WINDOW_ID|root] */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cairo-xlib.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emovox_draw.h"

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

/* The first window named `name` at or below `w` (depth first). */
static Window find_named(Display *dpy, Window w, const char *name) {
  char *wm = NULL;
  if (XFetchName(dpy, w, &wm) && wm) {
    int match = !strcmp(wm, name);
    XFree(wm);
    if (match)
      return w;
  }
  Window r, p, *kids = NULL, found = 0;
  unsigned n = 0;
  if (!XQueryTree(dpy, w, &r, &p, &kids, &n))
    return 0;
  for (unsigned i = 0; i < n && !found; i++)
    found = find_named(dpy, kids[i], name);
  if (kids)
    XFree(kids);
  return found;
}

static int near(unsigned v, const unsigned char c[3], int tol) {
  int d = abs((int)(v >> 16 & 255) - c[0]) + abs((int)(v >> 8 & 255) - c[1]) +
          abs((int)(v & 255) - c[2]);
  return d <= tol;
}

/* Pixel (x, y) of the grabbed image, 0 outside it. */
typedef struct image {
  const unsigned char *data;
  int stride, w, h;
} image;
static unsigned at(const image *im, int x, int y) {
  if (x < 0 || y < 0 || x >= im->w || y >= im->h)
    return 0;
  return *(const unsigned *)(im->data + (size_t)y * im->stride + 4 * (size_t)x) & 0xffffff;
}

static int count_in(const image *im, int ox, int oy, emovox_rect r, const unsigned char c[3]) {
  int n = 0;
  for (int y = (int)r.y; y < (int)(r.y + r.h); y++)
    for (int x = (int)r.x; x < (int)(r.x + r.w); x++)
      n += near(at(im, ox + x, oy + y), c, 40);
  return n;
}

/* Reads the UI's parts at (ox, oy) of the image against the layout of a w x h meter. */
static void analyse_ui(const image *im, int ox, int oy, int w, int h, double scale) {
  emovox_layout l;
  emovox_layout_compute(&l, w, h, scale);
  int bars = 0, history = 0, best = -1, best_n = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    bars += count_in(im, ox, oy, l.bars[i], emovox_palette[i]);
    if (l.history.w > 0)
      history += count_in(im, ox, oy, l.history, emovox_palette[i]);
    int n = count_in(im, ox, oy, l.dominant, emovox_palette[i]);
    if (n > best_n) {
      best_n = n;
      best = i;
    }
  }
  printf("bar_pixels %d\n", bars);
  printf("dominant %s %d\n", best_n >= 20 ? ev_emotion_names[best] : "none",
         best_n >= 20 ? best_n : 0);
  printf("history_pixels %d\n", history);
}

int main(int argc, char **argv) {
  double scale = 1.0;
  if (argc > 2 && !strcmp(argv[1], "--scale")) {
    scale = atof(argv[2]);
    argv += 2;
    argc -= 2;
  }
  if (argc < 2 || !strcmp(argv[1], "--help")) {
    printf("usage: x11_grab [--scale S] OUT.png [WINDOW_ID|root]\n"
           "Writes the X window (default: the largest top-level window of $DISPLAY) to OUT.png\n"
           "and prints\n"
           "'background_pixels N': the pixels with the Emovox UI's background colour,\n"
           "and, for the Emovox UI's window inside (drawn at HiDPI scale S, default 1),\n"
           "'ui_window X Y W H', 'bar_pixels N', 'dominant NAME N' and 'history_pixels N'.\n");
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
  Window ui = find_named(dpy, win, "Emovox");
  XWindowAttributes ua;
  int ux, uy;
  Window child;
  if (ui && XGetWindowAttributes(dpy, ui, &ua) && ua.map_state == IsViewable &&
      XTranslateCoordinates(dpy, ui, win, 0, 0, &ux, &uy, &child)) {
    printf("ui_window %d %d %d %d\n", ux, uy, ua.width, ua.height);
    image im = {d, stride, wa.width, wa.height};
    analyse_ui(&im, ux, uy, ua.width, ua.height, scale);
  } else {
    printf("ui_window none\n");
  }
  cairo_surface_destroy(img);
  cairo_surface_destroy(xs);
  XCloseDisplay(dpy);
  if (st != CAIRO_STATUS_SUCCESS) {
    fprintf(stderr, "x11_grab: cannot write %s: %s\n", argv[1], cairo_status_to_string(st));
    return 1;
  }
  return 0;
}
