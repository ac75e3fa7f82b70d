//! "Please note": messages the user must acknowledge (errors, recovered work). OK or Esc
//! acknowledges all of them.

#[derive(Debug, Default)]
pub struct AlertsDialog {
    alerts: Vec<String>,
}

impl AlertsDialog {
    pub fn push(&mut self, alert: String) {
        self.alerts.push(alert);
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    pub fn alerts(&self) -> &[String] {
        &self.alerts
    }

    pub fn ui(&mut self, ctx: &egui::Context) {
        if self.alerts.is_empty() {
            return;
        }
        let mut ok = false;
        let modal = egui::Modal::new(egui::Id::unique("alerts_modal")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Please note");
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for alert in &self.alerts {
                        ui.label(alert);
                        ui.add_space(4.0);
                    }
                });
            ok = ui.button("OK").clicked();
        });
        if ok || super::closed_by_user(&modal) {
            self.alerts.clear();
        }
    }
}
