/* The Emovox LV2 UI: an X11 window (embedded in the host's ui:parent) drawn with Cairo.
 *
 * Everything happens in the host's UI thread through ui:idleInterface: the idle callback drains
 * the X event queue without blocking, advances the 10 Hz history and redraws at most ~30 times
 * per second, and only when something changed. Control outputs arrive through port_event, model
 * status through the notify port's atom messages; dragging a slider writes the control input
 * back through write_function, and the "forget" button sends the plugin's forget-voice message
 * on its control port. */
/* The protocol (lv2/atom/forge.h) before Xlib, whose Bool macro breaks the forge's struct. */
#include "emovox_draw.h"
#include "emovox_notify.h"
#include "emovox_protocol.h"

#include <X11/Xlib.h>
#include <X11/Xresource.h>
#include <X11/Xutil.h>
#include <cairo-xlib.h>
#include <cairo.h>
#include <lv2/atom/atom.h>
#include <lv2/options/options.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_W  640
#define DEFAULT_H  420
#define FRAME_NS   33000000LL /* ~30 fps */
#define TICK_NS    (1000000000LL / EMOVOX_HISTORY_HZ)
#define WHEEL_STEP 0.02 /* slider position per scroll step */

typedef struct emovox_ui {
  LV2UI_Write_Function write;
  LV2UI_Controller controller;
  LV2_URID_Map *map;
  emovox_uris urids;

  Display *dpy;
  Window win;
  cairo_surface_t *surface;
  int width, height;
  double scale;

  /* The Emotions control's port index: appended after the audio ports, it is 25 in the mono
   * variant and 27 in the stereo one, where 25 is the right audio input. */
  uint32_t emotions_port;
  uint32_t adapted_port; /* also the variant's own */
  emovox_view_state view;
  emovox_layout layout; /* of the last drawn frame, for hit-testing the pointer */
  emovox_rect forget;   /* the forget button in that frame (w 0: none) */
  int forget_armed;     /* pressed on the button: a release on it forgets */
  int dirty;
  Atom wm_delete; /* top-level only */
  int closed;
  int64_t last_draw_ns, next_tick_ns;
} emovox_ui;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *feature(const LV2_Feature *const *features, const char *uri) {
  for (int i = 0; features && features[i]; i++)
    if (features[i]->URI && !strcmp(features[i]->URI, uri)) /* a NULL URI: see lv2file */
      return features[i]->data;
  return NULL;
}

/* The host's ui:scaleFactor option (an atom:Float), 0 if not given. */
static double host_scale(const LV2_Feature *const *features, LV2_URID_Map *map) {
  const LV2_Options_Option *opt =
      (const LV2_Options_Option *)feature(features, LV2_OPTIONS__options);
  LV2_URID key = map->map(map->handle, LV2_UI__scaleFactor);
  LV2_URID type = map->map(map->handle, LV2_ATOM__Float);
  for (; opt && opt->key; opt++)
    if (opt->key == key && opt->type == type && opt->size == sizeof(float) && opt->value)
      return *(const float *)opt->value;
  return 0.0;
}

/* HiDPI: EMOVOX_UI_SCALE wins, then the host's ui:scaleFactor, then the X resource Xft.dpi
 * (96 dpi = 1). */
static double ui_scale(Display *dpy, double from_host) {
  const char *env = getenv("EMOVOX_UI_SCALE");
  double s = env ? atof(env) : 0.0;
  if (s >= 0.5 && s <= 4.0)
    return s;
  if (from_host >= 0.5 && from_host <= 4.0)
    return from_host;
  const char *dpi = XGetDefault(dpy, "Xft", "dpi");
  s = dpi ? atof(dpi) / 96.0 : 1.0;
  return s >= 0.5 && s <= 4.0 ? s : 1.0;
}

static LV2UI_Handle instantiate(const LV2UI_Descriptor *descriptor, const char *plugin_uri,
                                const char *bundle_path, LV2UI_Write_Function write_function,
                                LV2UI_Controller controller, LV2UI_Widget *widget,
                                const LV2_Feature *const *features) {
  (void)descriptor;
  (void)bundle_path;
  LV2_URID_Map *map = (LV2_URID_Map *)feature(features, LV2_URID__map);
  if (!map)
    return NULL; /* the TTL declares urid:map as required */
  emovox_ui *ui = calloc(1, sizeof *ui);
  if (!ui)
    return NULL;
  ui->write = write_function;
  ui->controller = controller;
  ui->map = map;
  /* Both variants share this UI (ttl/meson.build); the host names the one it instantiates. Its
   * emotions port alone is taken: accepting 25 in the stereo variant too would be harmless in
   * practice (an audio port never sends port_event) but would rest on the host, not on the
   * protocol. A URI that is neither variant (there is none) reads as mono. */
  const bool stereo = plugin_uri && strcmp(plugin_uri, EMOVOX_URI_STEREO) == 0;
  ui->emotions_port = emovox_emotions_port(stereo);
  ui->adapted_port = emovox_adapted_port(stereo);
  emovox_map_uris(map, &ui->urids);
  emovox_view_init(&ui->view);

  ui->dpy = XOpenDisplay(NULL);
  if (!ui->dpy) {
    free(ui);
    return NULL;
  }
  ui->scale = ui_scale(ui->dpy, host_scale(features, map));
  ui->width = (int)(DEFAULT_W * ui->scale);
  ui->height = (int)(DEFAULT_H * ui->scale);
  Window parent = (Window)(uintptr_t)feature(features, LV2_UI__parent);
  int top_level = !parent;
  if (top_level)
    parent = DefaultRootWindow(ui->dpy);
  int screen = DefaultScreen(ui->dpy);
  ui->win = XCreateSimpleWindow(ui->dpy, parent, 0, 0, (unsigned)ui->width, (unsigned)ui->height, 0,
                                BlackPixel(ui->dpy, screen), BlackPixel(ui->dpy, screen));
  XSelectInput(ui->dpy, ui->win,
               ExposureMask | StructureNotifyMask | PointerMotionMask | ButtonPressMask |
                   ButtonReleaseMask | LeaveWindowMask);
  XSizeHints hints = {0};
  hints.flags = PMinSize | PBaseSize;
  hints.min_width = (int)(200 * ui->scale);
  hints.min_height = (int)(60 * ui->scale);
  hints.base_width = ui->width;
  hints.base_height = ui->height;
  XSetWMNormalHints(ui->dpy, ui->win, &hints);
  XStoreName(ui->dpy, ui->win, "Emovox");
  if (top_level) { /* no host window around us: closing ours ends the UI (idle returns 1) */
    ui->wm_delete = XInternAtom(ui->dpy, "WM_DELETE_WINDOW", False);
    XSetWMProtocols(ui->dpy, ui->win, &ui->wm_delete, 1);
  }
  XMapRaised(ui->dpy, ui->win);
  ui->surface = cairo_xlib_surface_create(ui->dpy, ui->win, DefaultVisual(ui->dpy, screen),
                                          ui->width, ui->height);
  XFlush(ui->dpy);

  const LV2UI_Resize *resize = (const LV2UI_Resize *)feature(features, LV2_UI__resize);
  if (resize)
    resize->ui_resize(resize->handle, ui->width, ui->height);

  /* Ask the plugin for the model status (it answers on its notify port). */
  uint8_t buf[128];
  uint32_t n = emovox_notify_forge_get(&ui->urids, map, buf, sizeof buf);
  if (n && write_function)
    write_function(controller, EMOVOX_CONTROL, n, ui->urids.atom_eventTransfer, buf);

  ui->dirty = 1;
  ui->next_tick_ns = now_ns() + TICK_NS;
  *widget = (LV2UI_Widget)(uintptr_t)ui->win;
  return ui;
}

static void cleanup(LV2UI_Handle handle) {
  emovox_ui *ui = handle;
  if (ui->surface) {
    /* Finish cairo's per-display state (glyph and picture caches) explicitly: otherwise every
     * open/close of the UI in a long-running host leaves some behind. */
    cairo_device_t *dev = cairo_device_reference(cairo_surface_get_device(ui->surface));
    cairo_surface_destroy(ui->surface);
    if (dev) {
      cairo_device_finish(dev);
      cairo_device_destroy(dev);
    }
  }
  XDestroyWindow(ui->dpy, ui->win);
  XCloseDisplay(ui->dpy);
  free(ui);
}

static void port_event(LV2UI_Handle handle, uint32_t port, uint32_t size, uint32_t format,
                       const void *buffer) {
  emovox_ui *ui = handle;
  if (format == 0 && size == sizeof(float) && port == ui->emotions_port)
    ui->dirty |= emovox_view_set_emotions(&ui->view, *(const float *)buffer);
  else if (format == 0 && size == sizeof(float) && port == ui->adapted_port)
    ui->dirty |= emovox_view_set_adapted(&ui->view, *(const float *)buffer);
  else if (format == 0 && size == sizeof(float))
    ui->dirty |= emovox_view_update(&ui->view, port, *(const float *)buffer);
  else if (format == ui->urids.atom_eventTransfer && size >= sizeof(LV2_Atom) &&
           size >= sizeof(LV2_Atom) + ((const LV2_Atom *)buffer)->size)
    ui->dirty |= emovox_notify_apply(&ui->view, &ui->urids, (const LV2_Atom *)buffer);
}

static void send_control(emovox_ui *ui, int ctrl, double pos) {
  float value = emovox_ctrl_from_pos(ctrl, (float)pos);
  uint32_t port = ctrl == EMOVOX_CTRL_RESPONSE ? EMOVOX_RESPONSE_MS : EMOVOX_GATE_DB;
  if (ctrl == EMOVOX_CTRL_RESPONSE) /* whole milliseconds are precise enough */
    value = (float)(long)(value + 0.5f);
  emovox_view_update(&ui->view, port, value); /* hosts may not echo our own writes back */
  if (ui->write)
    ui->write(ui->controller, port, sizeof value, 0, &value);
  ui->dirty = 1;
}

/* A patch:Set of the learned voice to nothing (emovox_write_forget_voice): the plugin clears it
 * and says so in its status message, which hides the button. The view is not changed here:
 * only the plugin knows whether a voice is gone. */
static void send_forget(emovox_ui *ui) {
  uint8_t buf[128];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, ui->map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  if (!emovox_write_forget_voice(&forge, &ui->urids) || !ui->write)
    return;
  const LV2_Atom *atom = (const LV2_Atom *)buf;
  ui->write(ui->controller, EMOVOX_CONTROL, (uint32_t)sizeof(LV2_Atom) + atom->size,
            ui->urids.atom_eventTransfer, buf);
}

/* The button of the last drawn frame, if the state still offers it (a status message may have
 * said the voice is gone since: the button is then on its way out, not to be clicked). */
static int over_forget(const emovox_ui *ui, double x, double y) {
  return emovox_view_offers_forget(&ui->view) && emovox_forget_hit(&ui->layout, ui->forget, x, y);
}

static float ctrl_value(const emovox_ui *ui, int ctrl) {
  return ctrl == EMOVOX_CTRL_RESPONSE ? ui->view.response_ms : ui->view.gate_db;
}

static void handle_event(emovox_ui *ui, const XEvent *ev) {
  switch (ev->type) {
  case Expose:
    ui->dirty = 1;
    break;
  case ConfigureNotify:
    if (ev->xconfigure.width != ui->width || ev->xconfigure.height != ui->height) {
      ui->width = ev->xconfigure.width;
      ui->height = ev->xconfigure.height;
      cairo_xlib_surface_set_size(ui->surface, ui->width, ui->height);
      ui->dirty = 1;
    }
    break;
  case MotionNotify: {
    int hover = emovox_layout_hit_control(&ui->layout, ev->xmotion.x, ev->xmotion.y);
    if (hover < 0 && ui->view.drag < 0 && over_forget(ui, ev->xmotion.x, ev->xmotion.y))
      hover = EMOVOX_HOVER_FORGET;
    if (ui->view.drag >= 0)
      send_control(ui, ui->view.drag,
                   emovox_layout_control_pos(&ui->layout, ui->view.drag, ev->xmotion.x));
    if (hover != ui->view.hover) {
      ui->view.hover = hover;
      ui->dirty = 1;
    }
    break;
  }
  case ButtonPress: {
    int c = emovox_layout_hit_control(&ui->layout, ev->xbutton.x, ev->xbutton.y);
    if (c < 0) {
      /* Forgetting acts on the release, as buttons do: a learned voice is lost for good, and
       * moving away before letting go still cancels a press that missed its aim. */
      if (ev->xbutton.button == Button1 && over_forget(ui, ev->xbutton.x, ev->xbutton.y))
        ui->forget_armed = 1;
      break;
    }
    if (ev->xbutton.button == Button1) {
      ui->view.drag = c;
      send_control(ui, c, emovox_layout_control_pos(&ui->layout, c, ev->xbutton.x));
    } else if (ev->xbutton.button == Button4 || ev->xbutton.button == Button5) {
      double pos = emovox_ctrl_to_pos(c, ctrl_value(ui, c));
      send_control(ui, c, pos + (ev->xbutton.button == Button4 ? WHEEL_STEP : -WHEEL_STEP));
    } else if (ev->xbutton.button == Button3) { /* right click: back to the default */
      send_control(ui, c, emovox_ctrl_to_pos(c, emovox_ctrl_default(c)));
    }
    break;
  }
  case ButtonRelease:
    if (ev->xbutton.button == Button1 && ui->forget_armed) {
      ui->forget_armed = 0;
      if (over_forget(ui, ev->xbutton.x, ev->xbutton.y))
        send_forget(ui);
    }
    if (ev->xbutton.button == Button1 && ui->view.drag >= 0) {
      ui->view.drag = -1;
      ui->dirty = 1;
    }
    break;
  case ClientMessage:
    if (ui->wm_delete && (Atom)ev->xclient.data.l[0] == ui->wm_delete)
      ui->closed = 1;
    break;
  case LeaveNotify:
    if (ui->view.hover >= 0 && ui->view.drag < 0) {
      ui->view.hover = -1;
      ui->dirty = 1;
    }
    break;
  default:
    break;
  }
}

static void redraw(emovox_ui *ui) {
  cairo_t *cr = cairo_create(ui->surface);
  /* Draw into a group and paint it at once so the window never shows a half-drawn frame. */
  cairo_push_group(cr);
  emovox_draw(cr, ui->width, ui->height, ui->scale, &ui->view);
  cairo_pop_group_to_source(cr);
  cairo_paint(cr);
  emovox_layout_compute(&ui->layout, ui->width, ui->height, ui->scale);
  /* measured with the context that drew it, so the click lands where the button shows */
  emovox_forget_button(cr, &ui->layout, &ui->view, &ui->forget);
  cairo_destroy(cr);
  cairo_surface_flush(ui->surface);
  XFlush(ui->dpy);
}

static int idle(LV2UI_Handle handle) {
  emovox_ui *ui = handle;
  while (XPending(ui->dpy) > 0) {
    XEvent ev;
    XNextEvent(ui->dpy, &ev);
    handle_event(ui, &ev);
  }
  int64_t now = now_ns();
  /* Advance the history at 10 Hz; after a long stall, skip ahead instead of catching up. */
  if (now - ui->next_tick_ns > 10 * TICK_NS)
    ui->next_tick_ns = now;
  while (now >= ui->next_tick_ns) {
    emovox_view_tick(&ui->view);
    ui->next_tick_ns += TICK_NS;
    ui->dirty = 1;
  }
  if (ui->dirty && now - ui->last_draw_ns >= FRAME_NS) {
    redraw(ui);
    ui->dirty = 0;
    ui->last_draw_ns = now;
  }
  return ui->closed;
}

static const void *extension_data(const char *uri) {
  static const LV2UI_Idle_Interface idle_iface = {idle};
  if (!strcmp(uri, LV2_UI__idleInterface))
    return &idle_iface;
  return NULL;
}

static const LV2UI_Descriptor descriptor = {EMOVOX_URI_UI, instantiate, cleanup, port_event,
                                            extension_data};

__attribute__((visibility("default"))) const LV2UI_Descriptor *lv2ui_descriptor(uint32_t index) {
  return index == 0 ? &descriptor : NULL;
}
