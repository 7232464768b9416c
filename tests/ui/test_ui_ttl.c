/* The UI's description as a host reads it (lilv, the built bundle on LV2_PATH): for both plugin
 * variants the UI is an X11 UI that asks for a port notification (float protocol) of every
 * control output the plugin has and of every port the UI's view reads (EMOVOX_PROB_FIRST ..
 * EMOVOX_STATUS), for the notify port with the event-transfer protocol, names only ports that
 * exist, requires urid:map and the idle interface, and declares the ui:scaleFactor option it
 * reads. Hosts send only control inputs unless told otherwise, so a missing notification means
 * a frozen meter in a compliant host. */
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/ui/ui.h>
#include <lv2/urid/urid.h>
#include <string.h>

#include "emovox_protocol.h"
#include "ev_test.h"

typedef struct nodes {
  LilvWorld *w;
  LilvNode *port_notification, *ui_plugin, *symbol, *protocol, *float_protocol, *event_transfer,
      *notify_type, *atom_object, *x11ui, *required, *optional, *supported_option, *scale_factor,
      *urid_map, *idle, *options, *output, *control;
} nodes;

/* Looks for the UI's notification of port `sym` of `plugin`: 0 if there is none, 1 if there is
 * one but its protocol (or, when want_type is given, its notify type) differs, 2 if it matches. */
static int notification(const nodes *n, const LilvNode *ui, const char *plugin, const char *sym,
                        const LilvNode *want_protocol, const LilvNode *want_type) {
  LilvNodes *all = lilv_world_find_nodes(n->w, ui, n->port_notification, NULL);
  int result = 0;
  LILV_FOREACH(nodes, i, all) {
    const LilvNode *pn = lilv_nodes_get(all, i);
    LilvNode *p = lilv_world_get(n->w, pn, n->ui_plugin, NULL);
    LilvNode *s = lilv_world_get(n->w, pn, n->symbol, NULL);
    int match =
        p && s && !strcmp(lilv_node_as_uri(p), plugin) && !strcmp(lilv_node_as_string(s), sym);
    lilv_node_free(p);
    lilv_node_free(s);
    if (!match)
      continue;
    result = lilv_world_ask(n->w, pn, n->protocol, want_protocol) &&
                     (!want_type || lilv_world_ask(n->w, pn, n->notify_type, want_type))
                 ? 2
                 : 1;
    break;
  }
  lilv_nodes_free(all);
  return result;
}

static int ask(const nodes *n, const LilvNode *s, const LilvNode *p, const LilvNode *o) {
  return lilv_world_ask(n->w, s, p, o);
}

static void check_variant(const nodes *n, const char *uri) {
  LilvNode *puri = lilv_new_uri(n->w, uri);
  const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(n->w), puri);
  EV_CHECK(plugin != NULL, "%s is found on LV2_PATH", uri);
  if (!plugin) {
    lilv_node_free(puri);
    return;
  }
  LilvNode *ui = lilv_new_uri(n->w, EMOVOX_URI_UI);
  LilvUIs *uis = lilv_plugin_get_uis(plugin);
  const LilvUI *the_ui = lilv_uis_get_by_uri(uis, ui);
  EV_CHECK(the_ui != NULL, "%s names the UI %s", uri, EMOVOX_URI_UI);
  EV_CHECK(the_ui && lilv_ui_is_a(the_ui, n->x11ui), "the UI is a ui:X11UI");

  /* Every control output of the plugin (as lilv reads the plugin's own TTL). */
  int outputs = 0;
  for (uint32_t i = 0; i < lilv_plugin_get_num_ports(plugin); i++) {
    const LilvPort *port = lilv_plugin_get_port_by_index(plugin, i);
    if (!lilv_port_is_a(plugin, port, n->output) || !lilv_port_is_a(plugin, port, n->control))
      continue;
    outputs++;
    const char *sym = lilv_node_as_string(lilv_port_get_symbol(plugin, port));
    int found = notification(n, ui, uri, sym, n->float_protocol, NULL);
    EV_CHECK(found > 0, "%s: the UI asks for notifications of output %u \"%s\"", uri, i, sym);
    EV_CHECK(found == 2, "%s: \"%s\" uses ui:floatProtocol", uri, sym);
  }
  /* the contiguous block, and the adapted output after the variant's audio ports */
  EV_CHECK(outputs == EMOVOX_STATUS - EMOVOX_PROB_FIRST + 2, "%s: %d control outputs", uri,
           outputs);
  {
    const bool stereo = strstr(uri, "stereo") != NULL;
    const LilvPort *port = lilv_plugin_get_port_by_index(plugin, emovox_adapted_port(stereo));
    const char *sym = port ? lilv_node_as_string(lilv_port_get_symbol(plugin, port)) : "?";
    EV_CHECK(port && !strcmp(sym, "adapted") &&
                 notification(n, ui, uri, sym, n->float_protocol, NULL) == 2,
             "%s: port %u (%s) is the adapted output, notified", uri, emovox_adapted_port(stereo),
             sym);
  }
  /* Every port the UI's view reads (emovox_view_update), by index. */
  for (uint32_t i = EMOVOX_PROB_FIRST; i <= EMOVOX_STATUS; i++) {
    const LilvPort *port = lilv_plugin_get_port_by_index(plugin, i);
    const char *sym = port ? lilv_node_as_string(lilv_port_get_symbol(plugin, port)) : "?";
    EV_CHECK(port && notification(n, ui, uri, sym, n->float_protocol, NULL) == 2,
             "%s: port %u (%s) is notified", uri, i, sym);
  }
  EV_CHECK(notification(n, ui, uri, "notify", n->event_transfer, n->atom_object) == 2,
           "%s: the notify port with atom:eventTransfer, type atom:Object", uri);

  /* No notification names a port the plugin lacks. */
  LilvNodes *all = lilv_world_find_nodes(n->w, ui, n->port_notification, NULL);
  int mine = 0;
  LILV_FOREACH(nodes, i, all) {
    const LilvNode *node = lilv_nodes_get(all, i);
    LilvNode *p = lilv_world_get(n->w, node, n->ui_plugin, NULL);
    LilvNode *s = lilv_world_get(n->w, node, n->symbol, NULL);
    if (p && lilv_node_equals(p, puri)) {
      mine++;
      EV_CHECK(s && lilv_plugin_get_port_by_symbol(plugin, s),
               "%s: notification for an existing port (%s)", uri, s ? lilv_node_as_string(s) : "-");
    }
    lilv_node_free(p);
    lilv_node_free(s);
  }
  lilv_nodes_free(all);
  EV_CHECK(mine == outputs + 1, "%s: %d notifications (outputs + notify)", uri, mine);
  lilv_uis_free(uis);
  lilv_node_free(ui);
  lilv_node_free(puri);
}

int main(void) {
  nodes n = {0};
  n.w = lilv_world_new();
  lilv_world_load_all(n.w);
#define URI(field, u) n.field = lilv_new_uri(n.w, u)
  URI(port_notification, LV2_UI__portNotification);
  URI(ui_plugin, LV2_UI__plugin);
  URI(symbol, LV2_CORE__symbol);
  URI(protocol, LV2_UI__protocol);
  URI(float_protocol, LV2_UI__floatProtocol);
  URI(event_transfer, LV2_ATOM__eventTransfer);
  URI(notify_type, LV2_UI__notifyType);
  URI(atom_object, LV2_ATOM__Object);
  URI(x11ui, LV2_UI__X11UI);
  URI(required, LV2_CORE__requiredFeature);
  URI(optional, LV2_CORE__optionalFeature);
  URI(supported_option, LV2_OPTIONS__supportedOption);
  URI(scale_factor, LV2_UI__scaleFactor);
  URI(urid_map, LV2_URID__map);
  URI(idle, LV2_UI__idleInterface);
  URI(options, LV2_OPTIONS__options);
  URI(output, LV2_CORE__OutputPort);
  URI(control, LV2_CORE__ControlPort);

  /* The UI's own file is an rdfs:seeAlso of the UI: hosts load it before reading it (jalv does
   * this for port notifications), and so does the test. */
  LilvNode *ui = lilv_new_uri(n.w, EMOVOX_URI_UI);
  EV_CHECK(lilv_world_load_resource(n.w, ui) > 0, "the UI's description is found");
  check_variant(&n, EMOVOX_URI_MONO);
  check_variant(&n, EMOVOX_URI_STEREO);

  EV_CHECK(ask(&n, ui, n.required, n.urid_map), "the UI requires urid:map");
  EV_CHECK(ask(&n, ui, n.required, n.idle), "the UI requires ui:idleInterface");
  EV_CHECK(ask(&n, ui, n.optional, n.options), "opts:options is an optional feature");
  EV_CHECK(ask(&n, ui, n.supported_option, n.scale_factor), "ui:scaleFactor is a supported option");
  lilv_node_free(ui);

  LilvNode **all[] = {
      &n.port_notification, &n.ui_plugin,        &n.symbol,       &n.protocol, &n.float_protocol,
      &n.event_transfer,    &n.notify_type,      &n.atom_object,  &n.x11ui,    &n.required,
      &n.optional,          &n.supported_option, &n.scale_factor, &n.urid_map, &n.idle,
      &n.options,           &n.output,           &n.control};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    lilv_node_free(*all[i]);
  lilv_world_free(n.w);
  EV_TEST_END();
}
