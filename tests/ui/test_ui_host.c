/* A minimal LV2 UI host for emovox_ui.so on a real X server (Xvfb, started by with_xvfb.sh):
 * loads the binary as a host does (dlopen + lv2ui_descriptor), embeds it in a parent window,
 * and checks what a host relies on: the patch:Get sent at start, the reported size, that
 * port_event values end up on screen (bar lengths and the dominant label read back from the
 * window's pixels), that dragging a slider writes the control port with the value under the
 * pointer, that the "forget" button writes the forget-voice message (and a click beside it
 * nothing), and that a resize switches to the strip layout. */
/* lv2/atom/forge.h before Xlib.h, whose Bool macro breaks the forge's field of that name. */
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cairo-xlib.h>
#include <cairo.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "emovox_draw.h"
#include "emovox_protocol.h"
#include "ev_test.h"
#include "ui_test_util.h"

static char uris[64][160];
static int n_uris;
static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  (void)h;
  for (int i = 0; i < n_uris; i++)
    if (!strcmp(uris[i], uri))
      return (LV2_URID)(i + 1);
  snprintf(uris[n_uris], sizeof uris[0], "%s", uri);
  return (LV2_URID)(++n_uris);
}

/* What the UI wrote back to the "plugin". */
typedef struct write_rec {
  uint32_t port, size, format;
  uint8_t data[256];
} write_rec;
static write_rec writes[4096];
static int n_writes;
static void write_fn(LV2UI_Controller c, uint32_t port, uint32_t size, uint32_t format,
                     const void *buf) {
  (void)c;
  if (n_writes >= 4096)
    return;
  write_rec *w = &writes[n_writes++];
  w->port = port;
  w->size = size;
  w->format = format;
  memcpy(w->data, buf, size < sizeof w->data ? size : sizeof w->data);
}

static int resized_w, resized_h;
static int resize_fn(LV2UI_Feature_Handle h, int w, int hh) {
  (void)h;
  resized_w = w;
  resized_h = hh;
  return 0;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void pump(const LV2UI_Idle_Interface *idle, LV2UI_Handle h, int ms) {
  for (int t = 0; t < ms; t += 5) {
    idle->idle(h);
    sleep_ms(5);
  }
}

static cairo_surface_t *grab(Display *dpy, Window win, int *w, int *h) {
  XWindowAttributes wa;
  XGetWindowAttributes(dpy, win, &wa);
  *w = wa.width;
  *h = wa.height;
  cairo_surface_t *xs = cairo_xlib_surface_create(dpy, win, wa.visual, wa.width, wa.height);
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wa.width, wa.height);
  cairo_t *cr = cairo_create(img);
  cairo_set_source_surface(cr, xs, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(xs);
  cairo_surface_flush(img);
  return img;
}

static void check_bars(cairo_surface_t *img, const emovox_layout *l, const float *p,
                       const char *what) {
  for (int i = 0; i < 8; i++) {
    const emovox_rect *b = &l->bars[i];
    int y = (int)(b->y + b->h / 2), run = 0;
    for (int x = (int)ceil(b->x); x < (int)(b->x + b->w); x++) {
      if (colour_dist(pixel_at(img, x, y), emovox_palette[i]) > 60)
        break;
      run++;
    }
    EV_CHECK(fabs(run - b->w * p[i]) <= 2.0, "%s: bar %d on screen %d px vs %.1f", what, i, run,
             b->w * p[i]);
  }
}

/* Whether calm's bar shows its track (an allowed emotion) rather than the background with a
 * thin line (one the Emotions control leaves out): fewer than 1/4 of its pixels background. */
static int calm_track_shows(Display *dpy, Window win) {
  int w, h;
  cairo_surface_t *img = grab(dpy, win, &w, &h);
  emovox_layout l;
  emovox_layout_compute(&l, w, h, 1.0);
  emovox_rect b = l.bars[1];
  int bg = 0;
  for (int y = (int)b.y; y < (int)(b.y + b.h); y++)
    for (int x = (int)b.x; x < (int)(b.x + b.w); x++)
      bg += colour_dist(pixel_at(img, x, y), emovox_background) <= 3;
  cairo_surface_destroy(img);
  return bg * 4 < (int)b.w * (int)b.h;
}

static void send_button(Display *dpy, Window win, int type, int x, int y) {
  XEvent ev;
  memset(&ev, 0, sizeof ev);
  if (type == MotionNotify) {
    ev.xmotion.type = MotionNotify;
    ev.xmotion.window = win;
    ev.xmotion.x = x;
    ev.xmotion.y = y;
    XSendEvent(dpy, win, False, PointerMotionMask, &ev);
  } else {
    ev.xbutton.type = type;
    ev.xbutton.window = win;
    ev.xbutton.x = x;
    ev.xbutton.y = y;
    ev.xbutton.button = Button1;
    XSendEvent(dpy, win, False, type == ButtonPress ? ButtonPressMask : ButtonReleaseMask, &ev);
  }
  XFlush(dpy);
}

static int last_write(uint32_t port, float *value) {
  for (int i = n_writes - 1; i >= 0; i--)
    if (writes[i].port == port && writes[i].format == 0 && writes[i].size == sizeof(float)) {
      memcpy(value, writes[i].data, sizeof(float));
      return 1;
    }
  return 0;
}

/* A status message saying whether a voice is learned (the rest as the plugin's, cut short). */
static void send_voice_learned(const LV2UI_Descriptor *desc, LV2UI_Handle ui, LV2_URID_Map *map,
                               int learned) {
  uint8_t buf[256];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame frame;
  lv2_atom_forge_object(&forge, &frame, 0, map_uri(NULL, EMOVOX_URI_STATUS));
  lv2_atom_forge_key(&forge, map_uri(NULL, EMOVOX_URI_STATUS_CODE));
  lv2_atom_forge_int(&forge, 0);
  lv2_atom_forge_key(&forge, map_uri(NULL, EMOVOX_URI_MODEL_NAME));
  lv2_atom_forge_string(&forge, "host-test-model", 15);
  lv2_atom_forge_key(&forge, map_uri(NULL, EMOVOX_URI_VOICE_LEARNED));
  lv2_atom_forge_int(&forge, learned);
  lv2_atom_forge_pop(&forge, &frame);
  desc->port_event(ui, EMOVOX_NOTIFY, lv2_atom_total_size((LV2_Atom *)buf),
                   map_uri(NULL, LV2_ATOM__eventTransfer), buf);
}

/* A left click (press and release) at (x, y); returns how many messages the UI wrote to the
 * control port meanwhile (the last one is writes[n_writes - 1]). */
static int click(const LV2UI_Idle_Interface *idle, LV2UI_Handle ui, Display *dpy, Window win, int x,
                 int y, int release_x) {
  int before = 0;
  for (int i = 0; i < n_writes; i++)
    before += writes[i].port == EMOVOX_CONTROL;
  send_button(dpy, win, MotionNotify, x, y);
  send_button(dpy, win, ButtonPress, x, y);
  pump(idle, ui, 30);
  send_button(dpy, win, MotionNotify, release_x, y);
  send_button(dpy, win, ButtonRelease, release_x, y);
  pump(idle, ui, 60);
  int after = 0;
  for (int i = 0; i < n_writes; i++)
    after += writes[i].port == EMOVOX_CONTROL;
  return after - before;
}

/* Ink of a rectangle of the window: pixels brighter than the caption line's background. */
static int window_ink(Display *dpy, Window win, emovox_rect r) {
  int w, h, n = 0;
  cairo_surface_t *img = grab(dpy, win, &w, &h);
  for (int y = (int)r.y; y < (int)(r.y + r.h); y++)
    for (int x = (int)r.x; x < (int)(r.x + r.w); x++) {
      rgb c = pixel_at(img, x, y);
      n += c.r + c.g + c.b > 330;
    }
  cairo_surface_destroy(img);
  return n;
}

/* The forget button (640x420, a running model): in Use learned voice it appears only once the
 * status says a voice is learned; a click on it writes exactly emovox_write_forget_voice's
 * message to the control port, a click beside it or a press that leaves before the release
 * writes nothing, nor does a click where it was once the voice is gone. */
static void check_forget(const LV2UI_Descriptor *desc, const LV2UI_Idle_Interface *idle,
                         LV2UI_Handle ui, Display *dpy, Window win, LV2_URID_Map *map) {
  /* where the button is drawn: measured as the UI measures it, for the same state */
  emovox_view_state st;
  emovox_view_init(&st);
  emovox_view_set_model(&st, EMOVOX_VIEW_OK, "host-test-model", "", "");
  emovox_view_update(&st, EMOVOX_ADAPT, (float)EMOVOX_ADAPT_USE);
  st.voice_learned = 1;
  emovox_layout l;
  emovox_layout_compute(&l, 640, 420, 1.0);
  cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create(probe);
  emovox_rect b;
  const int placed = emovox_forget_button(cr, &l, &st, &b);
  cairo_destroy(cr);
  cairo_surface_destroy(probe);
  EV_CHECK(placed, "640x420: a forget button in Use learned voice with a voice learned");
  if (!placed)
    return;
  const int bx = (int)(b.x + b.w / 2), by = (int)(b.y + b.h / 2);

  float use = (float)EMOVOX_ADAPT_USE;
  desc->port_event(ui, EMOVOX_ADAPT, sizeof use, 0, &use);
  send_voice_learned(desc, ui, map, 0);
  pump(idle, ui, 100);
  const int ink_none = window_ink(dpy, win, b);
  EV_CHECK(click(idle, ui, dpy, win, bx, by, bx) == 0, "no voice learned: a click there is no-op");

  send_voice_learned(desc, ui, map, 1);
  pump(idle, ui, 100);
  const int ink_learned = window_ink(dpy, win, b);
  EV_CHECK(ink_learned > ink_none + 20, "the button shows once a voice is learned (%d vs %d px)",
           ink_learned, ink_none);
  EV_CHECK(click(idle, ui, dpy, win, (int)(b.x - 12), by, (int)(b.x - 12)) == 0,
           "a click on the caption left of it writes nothing");
  EV_CHECK(click(idle, ui, dpy, win, bx, (int)(l.voice.y + l.voice.h - 1), bx) == 0,
           "a click on the voice meter below it writes nothing");
  EV_CHECK(click(idle, ui, dpy, win, bx, by, (int)(b.x - 40)) == 0,
           "pressed on it, released away: nothing (cancelled)");

  EV_CHECK(click(idle, ui, dpy, win, bx, by, bx) == 1, "a click on it writes one message");
  uint8_t want[128];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, map);
  lv2_atom_forge_set_buffer(&forge, want, sizeof want);
  emovox_uris u;
  emovox_map_uris(map, &u);
  EV_REQUIRE(emovox_write_forget_voice(&forge, &u), "forging the expected message");
  const uint32_t want_size = lv2_atom_total_size((const LV2_Atom *)want);
  const write_rec *w = &writes[n_writes - 1];
  EV_CHECK(w->port == EMOVOX_CONTROL && w->format == u.atom_eventTransfer && w->size == want_size &&
               !memcmp(w->data, want, want_size),
           "the message is emovox_write_forget_voice's (port %u, %u bytes vs %u)", w->port, w->size,
           want_size);

  /* the plugin answers that no voice is learned: the button goes, its place takes no click */
  send_voice_learned(desc, ui, map, 0);
  pump(idle, ui, 100);
  EV_CHECK(window_ink(dpy, win, b) < ink_learned - 20, "the button is gone with the voice");
  EV_CHECK(click(idle, ui, dpy, win, bx, by, bx) == 0, "where it was, a click writes nothing");
  float follow = (float)EMOVOX_ADAPT_FOLLOW;
  desc->port_event(ui, EMOVOX_ADAPT, sizeof follow, 0, &follow);
  send_voice_learned(desc, ui, map, 1);
  pump(idle, ui, 100);
  EV_CHECK(click(idle, ui, dpy, win, bx, by, bx) == 0, "Follow: no button, whatever is learned");
}

int main(void) {
  const char *so = getenv("EMOVOX_UI_SO");
  if (!getenv("DISPLAY") || !so)
    EV_SKIP("needs DISPLAY (with_xvfb.sh) and EMOVOX_UI_SO");
  Display *dpy = XOpenDisplay(NULL);
  if (!dpy)
    EV_SKIP("cannot open display %s", getenv("DISPLAY"));

  void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  EV_CHECK(lib != NULL, "dlopen %s: %s", so, dlerror());
  if (!lib)
    EV_TEST_END();
  LV2UI_DescriptorFunction get = (LV2UI_DescriptorFunction)dlsym(lib, "lv2ui_descriptor");
  EV_CHECK(get != NULL, "lv2ui_descriptor exported");
  if (!get)
    EV_TEST_END();
  const LV2UI_Descriptor *desc = get(0);
  EV_CHECK(desc && !strcmp(desc->URI, EMOVOX_URI_UI), "descriptor 0 is the Emovox UI");
  EV_CHECK(get(1) == NULL, "only one UI");
  const LV2UI_Idle_Interface *idle = desc->extension_data(LV2_UI__idleInterface);
  EV_CHECK(idle && idle->idle, "idle interface");
  if (!idle)
    EV_TEST_END();

  Window parent = XCreateSimpleWindow(dpy, DefaultRootWindow(dpy), 0, 0, 700, 480, 0, 0, 0);
  XMapRaised(dpy, parent);
  XFlush(dpy);
  LV2_URID_Map map = {NULL, map_uri};
  LV2UI_Resize resize = {NULL, resize_fn};
  LV2_Feature f_map = {LV2_URID__map, &map};
  LV2_Feature f_parent = {LV2_UI__parent, (void *)(uintptr_t)parent};
  LV2_Feature f_resize = {LV2_UI__resize, &resize};
  const LV2_Feature *features[] = {&f_map, &f_parent, &f_resize, NULL};
  const LV2_Feature *no_map[] = {&f_parent, NULL};
  LV2UI_Widget widget = NULL;
  EV_CHECK(desc->instantiate(desc, EMOVOX_URI_MONO, "/nonexistent", write_fn, NULL, &widget,
                             no_map) == NULL,
           "refuses to start without urid:map");
  LV2UI_Handle ui =
      desc->instantiate(desc, EMOVOX_URI_MONO, "/nonexistent", write_fn, NULL, &widget, features);
  EV_CHECK(ui != NULL && widget != NULL, "instantiate");
  if (!ui)
    EV_TEST_END();
  Window win = (Window)(uintptr_t)widget;

  /* The opening patch:Get to the control port, and the reported size. */
  LV2_URID patch_Get = map_uri(NULL, LV2_PATCH__Get);
  LV2_URID event_transfer = map_uri(NULL, LV2_ATOM__eventTransfer);
  EV_CHECK(n_writes >= 1 && writes[0].port == EMOVOX_CONTROL &&
               writes[0].format == event_transfer &&
               ((const LV2_Atom_Object *)writes[0].data)->body.otype == patch_Get,
           "first message is a patch:Get on the control port");
  EV_CHECK(resized_w == 640 && resized_h == 420, "ui:resize reported %dx%d", resized_w, resized_h);

  /* Outputs as the host delivers them: floats per port, then the status atom. */
  float p[8] = {0.05f, 0.02f, 0.04f, 0.09f, 0.58f, 0.13f, 0.06f, 0.03f};
  for (uint32_t i = 0; i < 8; i++)
    desc->port_event(ui, EMOVOX_PROB_FIRST + i, sizeof(float), 0, &p[i]);
  float v;
  v = 5; /* 1 + angry */
  desc->port_event(ui, EMOVOX_DOMINANT, sizeof v, 0, &v);
  v = 0.58f;
  desc->port_event(ui, EMOVOX_CONFIDENCE, sizeof v, 0, &v);
  v = 0;
  desc->port_event(ui, EMOVOX_STATUS, sizeof v, 0, &v);
  uint8_t buf[512];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame frame;
  lv2_atom_forge_object(&forge, &frame, 0, map_uri(NULL, EMOVOX_URI_STATUS));
  lv2_atom_forge_key(&forge, map_uri(NULL, EMOVOX_URI_STATUS_CODE));
  lv2_atom_forge_int(&forge, 0);
  lv2_atom_forge_key(&forge, map_uri(NULL, EMOVOX_URI_MODEL_NAME));
  lv2_atom_forge_string(&forge, "host-test-model", 15);
  lv2_atom_forge_pop(&forge, &frame);
  desc->port_event(ui, EMOVOX_NOTIFY, lv2_atom_total_size((LV2_Atom *)buf), event_transfer, buf);
  pump(idle, ui, 300);

  int w, h;
  cairo_surface_t *img = grab(dpy, win, &w, &h);
  write_png(img, "ui_host_640x420.png");
  EV_CHECK(w == 640 && h == 420, "window %dx%d", w, h);
  emovox_layout l;
  emovox_layout_compute(&l, w, h, 1.0);
  check_bars(img, &l, p, "640x420");
  int anger = 0;
  for (int y = (int)l.dominant.y; y < (int)(l.dominant.y + l.dominant.h); y++)
    for (int x = (int)l.dominant.x; x < (int)(l.dominant.x + l.dominant.w); x++)
      anger += colour_dist(pixel_at(img, x, y), emovox_palette[4]) <= 40;
  EV_CHECK(anger > 100, "'angry' on screen in vermillion (%d px)", anger);
  cairo_surface_destroy(img);

  /* Drag the gate slider from 1/4 to 3/4 of its track. */
  emovox_rect g = l.sliders[EMOVOX_CTRL_GATE];
  int y = (int)(g.y + g.h / 2);
  send_button(dpy, win, ButtonPress, (int)(g.x + 0.25 * g.w), y);
  pump(idle, ui, 50);
  float got = 0;
  EV_CHECK(last_write(EMOVOX_GATE_DB, &got), "press writes the gate port");
  EV_CHECK_NEAR(got, emovox_ctrl_from_pos(EMOVOX_CTRL_GATE, 0.25f), 0.5, "gate at 1/4");
  send_button(dpy, win, MotionNotify, (int)(g.x + 0.75 * g.w), y);
  pump(idle, ui, 50);
  send_button(dpy, win, ButtonRelease, (int)(g.x + 0.75 * g.w), y);
  pump(idle, ui, 50);
  EV_CHECK(last_write(EMOVOX_GATE_DB, &got), "drag writes the gate port");
  EV_CHECK_NEAR(got, emovox_ctrl_from_pos(EMOVOX_CTRL_GATE, 0.75f), 0.5, "gate at 3/4");
  int n_before = n_writes;
  send_button(dpy, win, MotionNotify, (int)(g.x + 0.1 * g.w), y);
  pump(idle, ui, 50);
  EV_CHECK(n_writes == n_before, "no writes after the button is released");

  /* Scroll up over the gate: one step (2 % of the slider) up. Right click: the default. */
  float before = got;
  XEvent wheel;
  memset(&wheel, 0, sizeof wheel);
  wheel.xbutton.type = ButtonPress;
  wheel.xbutton.window = win;
  wheel.xbutton.x = (int)(g.x + g.w / 2);
  wheel.xbutton.y = y;
  wheel.xbutton.button = Button4;
  XSendEvent(dpy, win, False, ButtonPressMask, &wheel);
  XFlush(dpy);
  pump(idle, ui, 50);
  EV_CHECK(last_write(EMOVOX_GATE_DB, &got), "scroll writes the gate");
  EV_CHECK_NEAR(got, before + 0.02 * 90.0, 0.01, "scroll step");
  wheel.xbutton.button = Button3;
  XSendEvent(dpy, win, False, ButtonPressMask, &wheel);
  XFlush(dpy);
  pump(idle, ui, 50);
  EV_CHECK(last_write(EMOVOX_GATE_DB, &got), "right click writes the gate");
  EV_CHECK_NEAR(got, -60.0, 1e-4, "right click resets to the default");

  check_forget(desc, idle, ui, dpy, win, &map);

  /* The host shrinks the window: the strip layout, still showing the values. */
  XResizeWindow(dpy, win, 240, 64);
  XFlush(dpy);
  pump(idle, ui, 300);
  img = grab(dpy, win, &w, &h);
  write_png(img, "ui_host_240x64.png");
  emovox_layout_compute(&l, w, h, 1.0);
  EV_CHECK(l.mode == EMOVOX_LAYOUT_STRIP, "strip layout at %dx%d", w, h);
  check_bars(img, &l, p, "240x64");
  cairo_surface_destroy(img);

  desc->cleanup(ui);

  /* HiDPI through the host's ui:scaleFactor option: twice the size. */
  if (!getenv("EMOVOX_UI_SCALE")) {
    float two = 2.0f;
    LV2_Options_Option opts[] = {{LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_UI__scaleFactor),
                                  sizeof(float), map_uri(NULL, LV2_ATOM__Float), &two},
                                 {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
    LV2_Feature f_opts = {LV2_OPTIONS__options, opts};
    const LV2_Feature *hidpi[] = {&f_map, &f_parent, &f_resize, &f_opts, NULL};
    ui = desc->instantiate(desc, EMOVOX_URI_MONO, "/nonexistent", write_fn, NULL, &widget, hidpi);
    EV_CHECK(ui && resized_w == 1280 && resized_h == 840, "scale factor 2: %dx%d", resized_w,
             resized_h);
    if (ui)
      desc->cleanup(ui);
  }
  /* The Emotions control is port 25 in the mono variant and 27 in the stereo one, where 25 is
   * the right audio input: each instance takes its own variant's index only. 29 leaves calm
   * out. */
  const char *variants[] = {EMOVOX_URI_MONO, EMOVOX_URI_STEREO};
  for (int st = 0; st < 2; st++) {
    ui = desc->instantiate(desc, variants[st], "/nonexistent", write_fn, NULL, &widget, features);
    EV_CHECK(ui != NULL, "instantiate <%s>", variants[st]);
    if (!ui)
      continue;
    Window vw = (Window)(uintptr_t)widget;
    const uint32_t own = emovox_emotions_port(st == 1), other = emovox_emotions_port(st == 0);
    float set = 29.0f;
    pump(idle, ui, 100);
    EV_CHECK(calm_track_shows(dpy, vw), "<%s>: calm allowed by default", variants[st]);
    desc->port_event(ui, other, sizeof set, 0, &set);
    pump(idle, ui, 100);
    EV_CHECK(calm_track_shows(dpy, vw), "<%s>: port %u is not its Emotions control", variants[st],
             other);
    desc->port_event(ui, own, sizeof set, 0, &set);
    pump(idle, ui, 100);
    EV_CHECK(!calm_track_shows(dpy, vw), "<%s>: port %u leaves calm out", variants[st], own);
    desc->cleanup(ui);
  }

  /* No ui:parent: a top-level window; the window manager's close request ends the UI. */
  const LV2_Feature *no_parent[] = {&f_map, NULL};
  ui = desc->instantiate(desc, EMOVOX_URI_MONO, "/nonexistent", write_fn, NULL, &widget, no_parent);
  EV_CHECK(ui != NULL, "instantiate without a parent");
  if (ui) {
    pump(idle, ui, 50);
    EV_CHECK(idle->idle(ui) == 0, "open: idle returns 0");
    XEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.xclient.type = ClientMessage;
    ev.xclient.window = (Window)(uintptr_t)widget;
    ev.xclient.message_type = XInternAtom(dpy, "WM_PROTOCOLS", False);
    ev.xclient.format = 32;
    ev.xclient.data.l[0] = (long)XInternAtom(dpy, "WM_DELETE_WINDOW", False);
    XSendEvent(dpy, (Window)(uintptr_t)widget, False, NoEventMask, &ev);
    XFlush(dpy);
    int closed = 0;
    for (int t = 0; t < 40 && !closed; t++) {
      closed = idle->idle(ui);
      sleep_ms(5);
    }
    EV_CHECK(closed == 1, "closing the window: idle returns 1");
    desc->cleanup(ui);
  }
  XDestroyWindow(dpy, parent);
  XCloseDisplay(dpy);
  dlclose(lib);
  cairo_debug_reset_static_data(); /* caches, for LeakSanitizer */
  FcFini();
  EV_TEST_END();
}
