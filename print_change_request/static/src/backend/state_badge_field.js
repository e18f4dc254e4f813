import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

/**
 * The communication state as a badge in the state's own color: the same Odoo color
 * index (the record's ``color`` field, from lib/communication_state.py) as the kanban
 * stripe and the list's color swatch.  Falls back to the badge's decorations when the
 * record has no color.
 */
export class PrintStateBadgeField extends BadgeField {
    static template = "print_change_request.PrintStateBadgeField";

    get stateColorClass() {
        const color = this.props.record.data.color;
        if (Number.isInteger(color) && color > 0) {
            return `o_print_state_badge o_print_state_color_${color}`;
        }
        return this.classFromDecoration;
    }
}

export const printStateBadgeField = {
    ...badgeField,
    component: PrintStateBadgeField,
    fieldDependencies: [{ name: "color", type: "integer" }],
};

registry.category("fields").add("print_state_badge", printStateBadgeField);
